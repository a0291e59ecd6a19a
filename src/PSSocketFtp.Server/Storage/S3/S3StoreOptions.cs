namespace PSSocketFtp.Server;

/// <summary>
/// The S3 store's settings (section <c>PSSocketFtp:S3</c>, switches <c>--s3-endpoint</c>, <c>--s3-bucket</c>,
/// <c>--s3-prefix</c>, <c>--s3-region</c>, <c>--s3-credentials</c>). With no <see cref="Bucket"/> the server keeps
/// its files in the local folder <see cref="FtpServerOptions.Root"/>, as it always did. There is no setting for the
/// keys themselves: a key on a command line shows in every process listing.
/// </summary>
public sealed class S3StoreOptions
{
    /// <summary>The S3 endpoint, such as <c>http://127.0.0.1:7480</c> (radosgw); unset for AWS itself (by <see cref="Region"/>).</summary>
    public string? Endpoint { get; set; }

    /// <summary>The bucket; setting it chooses the S3 store.</summary>
    public string? Bucket { get; set; }

    /// <summary>The key prefix under which this server's tree lives (several servers with one prefix share one tree).</summary>
    public string? Prefix { get; set; }

    /// <summary>The region the requests are signed for; radosgw accepts us-east-1 whatever its zone group.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>
    /// A shared-credentials file (the AWS format, profile <c>[default]</c>); without it the keys come from
    /// <c>AWS_ACCESS_KEY_ID</c> and <c>AWS_SECRET_ACCESS_KEY</c> (and <c>AWS_SESSION_TOKEN</c>).
    /// </summary>
    public string? CredentialsFile { get; set; }

    /// <summary>Whether the S3 store is chosen.</summary>
    internal bool IsConfigured => !string.IsNullOrWhiteSpace(Bucket);
}
