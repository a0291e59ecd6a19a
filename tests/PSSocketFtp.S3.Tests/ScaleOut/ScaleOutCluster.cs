using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Amazon.S3.Model;
using PSSocketFtp.Client;
using PSSocketFtp.TestSupport;

namespace PSSocketFtp.S3.Tests;

/// <summary>
/// Issue #14's setup with the real engines, once for a test class: three server processes (the build's
/// PSSocketFtp.Server.dll, each on its own port and its own empty <c>--root</c>) sharing one bucket and a random prefix of
/// Ceph's S3 store, behind HAProxy (deploy/haproxy/start-haproxy.sh, with its own state folder, front port and stats
/// port). A test may kill or replace a server; the next test's <see cref="StartAsync"/> brings all three back up. Where
/// HAProxy cannot start, <see cref="StartAsync"/> skips the test and says why. Built with TLS (<see cref="ScaleOutTlsCluster"/>),
/// the three servers share one self-signed certificate and every session the cluster hands out pins it; HAProxy stays
/// in TCP mode either way.
/// </summary>
public class ScaleOutCluster : IAsyncLifetime
{
    public const int Count = 3;
    private const string Backend = "pssocketftp_servers";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private readonly string _folder = Directory.CreateTempSubdirectory("psftp-scaleout-").FullName;
    private readonly ServerProcess?[] _servers = new ServerProcess?[Count];
    private readonly int[] _ports = new int[Count];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private CephFixture? _ceph;
    private readonly string[] _tlsArguments = [];
    private string? _skipReason;
    private int _starts;

    public ScaleOutCluster()
    {
    }

    /// <param name="tls">Start the servers with a certificate (<c>--certificate</c>, <c>--certificate-password</c>) and pin it in every session.</param>
    protected ScaleOutCluster(bool tls)
    {
        if (tls)
        {
            string password = Guid.NewGuid().ToString("N");
            string path = Path.Join(_folder, "servers.pfx");
            Thumbprint = WriteCertificate(path, password);
            _tlsArguments = ["--certificate", path, "--certificate-password", password];
        }
    }

    /// <summary>The SHA-256 thumbprint of the servers' certificate; null without TLS.</summary>
    public string? Thumbprint { get; }

    /// <summary>The prefix all three servers share (deleted at the end).</summary>
    public string Prefix { get; } = CephFixture.NewPrefix();

    /// <summary>HAProxy's front port.</summary>
    public int FrontPort { get; private set; }

    private string HaproxyState => Path.Join(_folder, "haproxy");

    private int StatsPort { get; set; }

    /// <summary>The port server <paramref name="index"/> listens on (HAProxy's <c>s1</c>… in this order; it keeps it across restarts).</summary>
    public int PortOf(int index) => _ports[index];

    /// <summary>The current process of server <paramref name="index"/>.</summary>
    internal ServerProcess Server(int index) => _servers[index] ?? throw new InvalidOperationException($"server {index} is not running");

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>
    /// Starts the three servers and HAProxy on the first call (skipping the test where Ceph or HAProxy is missing); on later
    /// calls starts again any server a test stopped, and returns once HAProxy sees all three UP.
    /// </summary>
    public async Task StartAsync(CephFixture ceph)
    {
        ceph.SkipUnlessRunning();
        Skip.If(_skipReason is not null, _skipReason);
        _ceph = ceph;
        if (FrontPort == 0)
        {
            var started = await Task.WhenAll(Enumerable.Range(0, Count).Select(i => StartServerAsync(0)));
            for (int i = 0; i < Count; i++)
            {
                _servers[i] = started[i];
                _ports[i] = started[i].Port;
            }
            try
            {
                StartHaproxy();
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
            {
                _skipReason = $"HAProxy did not start, so the scale-out tests are SKIPPED: {e.Message}";
                Console.Error.WriteLine(_skipReason);
                Skip.If(true, _skipReason);
            }
        }
        for (int i = 0; i < Count; i++)
        {
            if (_servers[i] is null || _servers[i]!.HasExited)
            {
                await RestartAsync(i);
            }
        }
        await WaitUntilAsync(async () => (await StatsAsync()).All(s => s.Status == "UP"), "HAProxy to see all three servers UP");
    }

    /// <summary>Stops server <paramref name="index"/> (SIGKILL) and starts it again on its port with a new, empty root; returns once HAProxy sees it UP.</summary>
    public async Task RestartAsync(int index)
    {
        if (_servers[index] is { } old)
        {
            await old.DisposeAsync();
        }
        _servers[index] = await StartServerAsync(_ports[index]);
        await WaitForStatusAsync(index, "UP");
    }

    /// <summary>Session options through HAProxy's front port.</summary>
    public FtpSessionOptions ThroughFront() => SessionOptions(FrontPort);

    /// <summary>Session options straight to server <paramref name="index"/>, past HAProxy.</summary>
    public FtpSessionOptions Direct(int index) => SessionOptions(_ports[index]);

    /// <summary>The bytes in whole parts of each multipart upload in progress under the cluster's prefix, one entry per upload.</summary>
    public async Task<IReadOnlyList<long>> PartsHeldAsync()
    {
        var s3 = _ceph ?? throw new InvalidOperationException("the cluster has not started");
        var uploads = await s3.Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = s3.Options.Bucket, Prefix = Prefix + "/" });
        var held = new List<long>();
        foreach (var upload in uploads.MultipartUploads ?? [])
        {
            var parts = await s3.Client.ListPartsAsync(new ListPartsRequest { BucketName = s3.Options.Bucket, Key = upload.Key, UploadId = upload.UploadId });
            held.Add((parts.Parts ?? []).Sum(p => p.Size ?? 0));
        }
        return held;
    }

    /// <summary>Each server's line of HAProxy's stats (CSV), in the order s1, s2, s3.</summary>
    public async Task<IReadOnlyList<BackendStats>> StatsAsync()
    {
        string csv = await _http.GetStringAsync(new Uri($"http://127.0.0.1:{StatsPort}/;csv"));
        var lines = csv.Split('\n').Where(l => l.StartsWith("# ", StringComparison.Ordinal)).ToArray();
        string[] header = lines.Length == 1 ? lines[0][2..].Split(',') : throw new InvalidDataException($"no header in HAProxy's stats:\n{csv}");
        int name = Array.IndexOf(header, "svname"), current = Array.IndexOf(header, "scur"), total = Array.IndexOf(header, "stot"), status = Array.IndexOf(header, "status");
        return csv.Split('\n')
            .Select(l => l.Split(','))
            .Where(f => f.Length > status && f[0] == Backend && f[name].StartsWith('s') && f[name] != "BACKEND")
            .Select(f => new BackendStats(f[name], int.Parse(f[current], CultureInfo.InvariantCulture), long.Parse(f[total], CultureInfo.InvariantCulture), f[status]))
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Waits until HAProxy's health check gives server <paramref name="index"/> the <paramref name="status"/> (UP, DOWN).</summary>
    public Task WaitForStatusAsync(int index, string status) =>
        WaitUntilAsync(async () => (await StatsAsync())[index].Status == status, $"HAProxy to mark s{index + 1} {status}");

    /// <summary>Polls <paramref name="condition"/> every 100 ms until it holds, for at most <paramref name="deadline"/> (30 s when not given).</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what, TimeSpan? deadline = null)
    {
        var bound = deadline ?? Deadline;
        var until = DateTime.UtcNow + bound;
        while (!await condition())
        {
            if (DateTime.UtcNow > until)
            {
                throw new TimeoutException($"waited {bound.TotalSeconds} s for {what}");
            }
            await Task.Delay(100);
        }
    }

    private Task<ServerProcess> StartServerAsync(int port)
    {
        var options = _ceph!.Options;
        // Its own empty folder each start: nothing a server needs may live on its disk.
        string root = Path.Join(_folder, "root-" + Interlocked.Increment(ref _starts).ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(root);
        return ServerProcess.StartAsync(new ServerStart(root)
        {
            Port = port,
            Arguments =
            [
                "--print-port", "--stop-on-input-end",
                "--s3-endpoint", options.Endpoint!, "--s3-bucket", options.Bucket!, "--s3-prefix", Prefix, "--s3-credentials", options.CredentialsFile!,
                .. _tlsArguments,
            ],
        });
    }

    private void StartHaproxy()
    {
        FrontPort = FreePort();
        StatsPort = FreePort();
        DeployScript.Run(
            "deploy/haproxy/start-haproxy.sh",
            TimeSpan.FromMinutes(3),
            ["--state", HaproxyState, FrontPort.ToString(CultureInfo.InvariantCulture), .. _ports.Select(p => p.ToString(CultureInfo.InvariantCulture))],
            new Dictionary<string, string> { ["PSSOCKETFTP_HAPROXY_STATS_PORT"] = StatsPort.ToString(CultureInfo.InvariantCulture) });
    }

    private FtpSessionOptions SessionOptions(int port) =>
        new() { ComputerName = "127.0.0.1", Port = port, UseTls = Thumbprint is not null, CertificateThumbprint = Thumbprint };

    /// <summary>Writes a self-signed ECDSA certificate with its key to <paramref name="path"/> (PFX); returns its SHA-256 thumbprint.</summary>
    private static string WriteCertificate(string path, string password)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var now = DateTimeOffset.UtcNow;
        using var certificate = new CertificateRequest("CN=pssocketftp-scaleout", key, HashAlgorithmName.SHA256).CreateSelfSigned(now.AddHours(-1), now.AddDays(1));
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
        return certificate.GetCertHashString(HashAlgorithmName.SHA256);
    }

    /// <summary>A port nothing listens on right now (the system's pick for port 0).</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async Task DisposeAsync()
    {
        if (FrontPort != 0 && Directory.Exists(HaproxyState))
        {
            try
            {
                DeployScript.Run("deploy/haproxy/stop-haproxy.sh", TimeSpan.FromMinutes(1), ["--state", HaproxyState, "--wipe"]);
            }
            catch (Exception e) when (e is InvalidOperationException or TimeoutException)
            {
                Console.Error.WriteLine($"HAProxy could not be stopped after the scale-out tests: {e.Message}");
            }
        }
        foreach (var server in _servers)
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }
        }
        _http.Dispose();
        if (_ceph is not null)
        {
            await _ceph.CleanAsync(Prefix);
        }
        Directory.Delete(_folder, recursive: true);
    }
}

/// <summary>The same cluster with TLS end to end: the servers have a certificate, the sessions pin it, HAProxy passes TLS through.</summary>
public sealed class ScaleOutTlsCluster() : ScaleOutCluster(tls: true);

/// <summary>One server's line of HAProxy's stats: sessions now and in all, and the health check's verdict.</summary>
public sealed record BackendStats(string Name, int Current, long Total, string Status);
