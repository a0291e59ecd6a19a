using Amazon;
using Amazon.Runtime;
using Amazon.S3;

namespace PSSocketFtp.Server;

/// <summary>
/// Makes the S3 client from <see cref="S3StoreOptions"/>, with the settings radosgw needs (docs/scale-out.md): path-style
/// addresses, and checksums only where the API requires them (the SDK's default CRC trailers are unknown to radosgw 16.2).
/// </summary>
internal static class S3ClientFactory
{
    private const string AccessKeyVariable = "AWS_ACCESS_KEY_ID";
    private const string SecretKeyVariable = "AWS_SECRET_ACCESS_KEY";
    private const string SessionTokenVariable = "AWS_SESSION_TOKEN";

    /// <summary>Checks the settings without contacting anything; throws <see cref="ArgumentException"/> with what to fix.</summary>
    public static void Validate(S3StoreOptions options)
    {
        if (options.Endpoint is { Length: > 0 } endpoint
            && (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)))
        {
            throw new ArgumentException($"The S3 endpoint '{endpoint}' is not an http:// or https:// address.");
        }
        if (string.IsNullOrWhiteSpace(options.Region))
        {
            throw new ArgumentException("The S3 region is empty (radosgw accepts us-east-1).");
        }
        // The prefix is a remote path: the same rules, so a key never holds what a path could not name.
        S3Keys.NormalizePrefix(options.Prefix);
        _ = Credentials(options);
    }

    /// <summary>The client for <paramref name="options"/>.</summary>
    public static AmazonS3Client Create(S3StoreOptions options)
    {
        var config = new AmazonS3Config
        {
            AuthenticationRegion = options.Region,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            Timeout = TimeSpan.FromMinutes(5),
        };
        if (options.Endpoint is { Length: > 0 } endpoint)
        {
            config.ServiceURL = endpoint;
            // radosgw (and most S3-compatible stores) on an address of their own: no bucket.host names.
            config.ForcePathStyle = true;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }
        return new AmazonS3Client(Credentials(options), config);
    }

    /// <summary>The keys: from the credentials file when one is named, else from the environment; never from a setting.</summary>
    private static AWSCredentials Credentials(S3StoreOptions options)
    {
        if (options.CredentialsFile is { Length: > 0 } file)
        {
            var values = ReadDefaultProfile(file);
            return Make(values.GetValueOrDefault("aws_access_key_id"), values.GetValueOrDefault("aws_secret_access_key"), values.GetValueOrDefault("aws_session_token"),
                $"the credentials file '{file}' has no aws_access_key_id and aws_secret_access_key in its [default] profile");
        }
        return Make(Environment.GetEnvironmentVariable(AccessKeyVariable), Environment.GetEnvironmentVariable(SecretKeyVariable), Environment.GetEnvironmentVariable(SessionTokenVariable),
            $"no S3 keys: set {AccessKeyVariable} and {SecretKeyVariable}, or name a credentials file (--s3-credentials FILE)");
    }

    private static AWSCredentials Make(string? access, string? secret, string? token, string missing)
    {
        if (string.IsNullOrWhiteSpace(access) || string.IsNullOrWhiteSpace(secret))
        {
            throw new ArgumentException($"The S3 store cannot start: {missing}.");
        }
        return string.IsNullOrWhiteSpace(token) ? new BasicAWSCredentials(access, secret) : new SessionAWSCredentials(access, secret, token);
    }

    /// <summary>
    /// The <c>[default]</c> profile of an AWS shared-credentials file (<c>key = value</c> lines). Read here rather than by
    /// the SDK's profile machinery, which also looks at config files and environment variables this setting overrides.
    /// </summary>
    private static Dictionary<string, string> ReadDefaultProfile(string file)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"The S3 credentials file '{file}' cannot be read: {e.Message}", e);
        }
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? profile = null;
        foreach (string raw in lines)
        {
            string line = raw.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }
            if (line[0] == '[' && line[^1] == ']')
            {
                profile = line[1..^1].Trim();
                continue;
            }
            int equals = line.IndexOf('=');
            if (profile == "default" && equals > 0)
            {
                values[line[..equals].Trim()] = line[(equals + 1)..].Trim();
            }
        }
        return values;
    }
}
