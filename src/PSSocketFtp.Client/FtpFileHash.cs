namespace PSSocketFtp.Client;

/// <summary>The hash of a remote file, as the server computed it (see <see cref="FtpSession.GetFileHashAsync"/>).</summary>
public sealed class FtpFileHash
{
    internal FtpFileHash(string algorithm, string hash, string path, long length)
    {
        Algorithm = algorithm;
        Hash = hash;
        Path = path;
        Length = length;
    }

    /// <summary>The algorithm's wire name: <c>XXH128</c> or <c>SHA256</c> (like Get-FileHash's <c>SHA256</c>).</summary>
    public string Algorithm { get; }

    /// <summary>The hash as upper-case hex, like Get-FileHash.</summary>
    public string Hash { get; }

    /// <summary>The remote file, as a display path (<c>/a/b</c>).</summary>
    public string Path { get; }

    /// <summary>The file's length in bytes.</summary>
    public long Length { get; }
}
