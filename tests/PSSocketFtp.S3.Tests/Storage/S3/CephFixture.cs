using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using PSSocketFtp.Server;

namespace PSSocketFtp.S3.Tests;

/// <summary>
/// Ceph's radosgw, started once for all the tests by deploy/ceph/start-ceph.sh (which installs Ceph where it is missing,
/// and returns at once when it runs already). When it cannot start (not root, no packages), <see cref="SkipReason"/> says
/// why and every test is skipped with it. A Ceph this fixture started is stopped again (not wiped) when the tests end,
/// so a CI run leaves no daemons behind; one that was answering already is left running.
/// </summary>
public sealed class CephFixture : IDisposable
{
    private static readonly string StateDir = Environment.GetEnvironmentVariable("PSSOCKETFTP_CEPH_DIR") ?? "/var/tmp/pssocketftp-ceph";

    public CephFixture()
    {
        try
        {
            _started = !Answering();
            Start();
            var env = ReadPairs(Path.Join(StateDir, "s3.env"));
            Options = new S3StoreOptions
            {
                Endpoint = env["PSSOCKETFTP_S3_ENDPOINT"],
                Bucket = env["PSSOCKETFTP_S3_BUCKET"],
                Region = env.GetValueOrDefault("PSSOCKETFTP_S3_REGION") ?? "us-east-1",
                CredentialsFile = env["PSSOCKETFTP_S3_CREDENTIALS"],
            };
            Client = S3ClientFactory.Create(Options);
            Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Options.Bucket, MaxKeys = 1 }).GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            SkipReason = $"Ceph's S3 endpoint is not available, so the S3 tests are SKIPPED: {e.Message}";
            Console.Error.WriteLine(SkipReason);
        }
    }

    // Whether radosgw did not answer before this fixture ran start-ceph.sh: then the fixture stops it.
    private readonly bool _started;

    /// <summary>Why the tests cannot run, or null.</summary>
    public string? SkipReason { get; }

    /// <summary>The store's settings without a prefix (each test adds its own).</summary>
    public S3StoreOptions Options { get; } = new();

    /// <summary>A client for the tests' own looks at the bucket.</summary>
    public AmazonS3Client Client { get; } = null!;

    /// <summary>Skips the calling test when Ceph is not there.</summary>
    public void SkipUnlessRunning() => Skip.If(SkipReason is not null, SkipReason);

    /// <summary>A fresh prefix for one test.</summary>
    public static string NewPrefix() => "tests/" + Guid.NewGuid().ToString("N");

    /// <summary>Deletes every key under <paramref name="prefix"/> and aborts its multipart uploads.</summary>
    public async Task CleanAsync(string prefix)
    {
        if (SkipReason is not null)
        {
            return;
        }
        var request = new ListObjectsV2Request { BucketName = Options.Bucket, Prefix = prefix + "/" };
        do
        {
            var page = await Client.ListObjectsV2Async(request);
            if (page.S3Objects is { Count: > 0 } objects)
            {
                await Client.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = Options.Bucket, Objects = objects.Select(o => new KeyVersion { Key = o.Key }).ToList(), Quiet = true });
            }
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (request.ContinuationToken is not null);
        var uploads = await Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Options.Bucket, Prefix = prefix + "/" });
        foreach (var upload in uploads.MultipartUploads ?? [])
        {
            await Client.AbortMultipartUploadAsync(Options.Bucket, upload.Key, upload.UploadId);
        }
    }

    /// <summary>Whether something answers on radosgw's port (start-ceph.sh's, or PSSOCKETFTP_CEPH_RGW_PORT).</summary>
    private static bool Answering()
    {
        int port = int.TryParse(Environment.GetEnvironmentVariable("PSSOCKETFTP_CEPH_RGW_PORT"), out int p) ? p : 7480;
        try
        {
            using var client = new System.Net.Sockets.TcpClient();
            return client.ConnectAsync("127.0.0.1", port).Wait(TimeSpan.FromSeconds(2));
        }
        catch (Exception e) when (e is AggregateException or System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    // A fresh machine installs the packages first (about 70 s) and starts Ceph (about 22 s).
    private static void Start() => DeployScript.Run("deploy/ceph/start-ceph.sh", TimeSpan.FromMinutes(8));

    private static Dictionary<string, string> ReadPairs(string file) =>
        File.ReadAllLines(file)
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && l[0] != '#' && l.Contains('='))
            .Select(l => l.StartsWith("export ", StringComparison.Ordinal) ? l[7..] : l)
            .ToDictionary(l => l[..l.IndexOf('=')].Trim(), l => l[(l.IndexOf('=') + 1)..].Trim().Trim('"', '\''));

    public void Dispose()
    {
        Client?.Dispose();
        if (_started)
        {
            try
            {
                // No --wipe: the next run starts again in seconds with the same keys and bucket.
                DeployScript.Run("deploy/ceph/stop-ceph.sh", TimeSpan.FromMinutes(1));
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
            {
                Console.Error.WriteLine($"Ceph could not be stopped after the S3 tests: {e.Message}");
            }
        }
    }
}
