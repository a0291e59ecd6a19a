using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PSSocketFtp.Client;
using PSSocketFtp.Server;
using Proxy = PSSocketFtp.FaultProxy.FaultProxy;
using FaultKind = PSSocketFtp.FaultProxy.FaultKind;
using FaultProxyOptions = PSSocketFtp.FaultProxy.FaultProxyOptions;

namespace PSSocketFtp.Faults.Tests;

/// <summary>
/// 100 uploads and 100 downloads of assorted sizes through a proxy that cuts, stalls and flips bytes. Every transfer
/// must complete byte-exact, with no duplicate and nothing partial left visible. The seed is printed first and in
/// every assertion; PSSOCKETFTP_FAULT_SEED=N replays a run.
/// </summary>
public sealed class TransferFaultTests(ITestOutputHelper output)
{
    private const int Transfers = 100;

    /// <summary>Empty, tiny, a few KiB, around the 256 KiB chunk size and its multiples, and a few MiB: about 10.5 MiB per 20.</summary>
    private static readonly int[] Sizes =
    [
        0, 1, 2, 17, 1000, 4096, 5003, 65536,
        262143, 262144, 262145, 524287, 524288, 524289, 786433,
        1048576, 1500000, 2097151, 2097152, 3145733,
    ];

    [Fact]
    public Task UploadAndDownload_SeededFaults_EveryTransferByteExact() => RunAsync(Faults.Seed);

    [Fact]
    public Task UploadAndDownload_SecondSeedFaults_EveryTransferByteExact() => RunAsync(Faults.SecondSeed);

    /// <summary>
    /// The same transfers, 16 at once on the one session (protocol version 3): a fault ends every try in flight on the
    /// connection, and each resumes. Cuts and flips come at a quarter of the rate, so that each transfer still meets about
    /// four times as many as one at a time does.
    /// </summary>
    [Fact]
    public Task UploadAndDownload_SeededFaultsManyInFlight_EveryTransferByteExact() => RunAsync(Faults.Seed, inFlight: 16);

    private async Task RunAsync(int seed, int inFlight = 1)
    {
        string tag = $"[fault seed {seed}, flips on any byte, {inFlight} in flight; replay with PSSOCKETFTP_FAULT_SEED={seed}]";
        output.WriteLine($"fault suite {tag}");
        var watch = Stopwatch.StartNew();
        string sandbox = Faults.NewSandbox("suite");
        string root = Path.Join(sandbox, "root");
        string sources = Path.Join(sandbox, "sources");
        string downloads = Path.Join(sandbox, "downloads");
        Directory.CreateDirectory(root);
        Directory.CreateDirectory(sources);
        Directory.CreateDirectory(downloads);
        var proxyLog = new ConcurrentQueue<string>();
        var serverLog = new LogLines();
        var failures = new ConcurrentQueue<string>();
        var uploads = new ConcurrentDictionary<string, FtpTransferResult>();
        var downloadResults = new ConcurrentDictionary<string, FtpTransferResult>();
        var order = new Random(seed);
        int[] uploadSizes = Enumerable.Range(0, Transfers).Select(i => Sizes[i % Sizes.Length]).OrderBy(_ => order.Next()).ToArray();
        int[] downloadSizes = Enumerable.Range(0, Transfers).Select(i => Sizes[i % Sizes.Length]).OrderBy(_ => order.Next()).ToArray();
        try
        {
            for (int i = 0; i < Transfers; i++)
            {
                Faults.WriteRandomFile(Path.Join(sources, UploadName(i)), uploadSizes[i], HashCode.Combine(seed, 1, i));
                Faults.WriteRandomFile(Path.Join(root, DownloadName(i)), downloadSizes[i], HashCode.Combine(seed, 2, i));
            }

            await using var server = await FtpServerHost.StartAsync(
                ["--root", root, "--port", "0", "--bind", "127.0.0.1"],
                logging =>
                {
                    logging.ClearProviders();
                    logging.AddProvider(serverLog);
                });
            await using var proxy = Proxy.Start(new FaultProxyOptions
            {
                Target = server.EndPoint,
                Seed = seed,
                CutRate = 0.15,
                // Stalls end no try (short of a cut after one), so they keep their rate whatever the intensity.
                StallRate = inFlight == 1 ? 0.02 : 0.08,
                FlipRate = 0.1,
                MaxOffset = 16L * 1024 * 1024,
                MinStall = TimeSpan.FromMilliseconds(200),
                MaxStall = TimeSpan.FromSeconds(2.6),
                Intensity = inFlight == 1 ? 1 : 0.25,
                Log = proxyLog.Enqueue,
            });

            using (var session = await FtpSession.ConnectAsync(Faults.SessionOptions(proxy.EndPoint.Port)))
            using (var window = new SemaphoreSlim(inFlight))
            {
                async Task TransferAsync(int i)
                {
                    await window.WaitAsync();
                    try
                    {
                        string up = UploadName(i);
                        try
                        {
                            uploads[up] = await session.UploadFileAsync(Path.Join(sources, up), "/");
                        }
                        catch (Exception e)
                        {
                            failures.Enqueue($"upload {up} ({uploadSizes[i]} bytes) after {proxy.TotalFaults} faults: {e.GetType().Name}: {e.Message}");
                        }
                        string down = DownloadName(i);
                        try
                        {
                            downloadResults[down] = await session.DownloadFileAsync("/" + down, Path.Join(downloads, down));
                        }
                        catch (Exception e)
                        {
                            failures.Enqueue($"download {down} ({downloadSizes[i]} bytes) after {proxy.TotalFaults} faults: {e.GetType().Name}: {e.Message}");
                        }
                    }
                    finally
                    {
                        window.Release();
                    }
                }
                await Task.WhenAll(Enumerable.Range(0, Transfers).Select(TransferAsync)).WaitAsync(TimeSpan.FromMinutes(4));
            }
            // The checks below look past the proxy: nothing more may be injected, and nothing in flight may fire.
            proxy.Enabled = false;
            output.WriteLine($"{proxy.Summary}; {2 * Transfers} transfers in {watch.Elapsed.TotalSeconds:0.0} s");

            Assert.True(failures.Count == 0, $"{tag} {failures.Count} transfers failed:\n{string.Join("\n", failures)}");

            var mismatches = new List<string>();
            for (int i = 0; i < Transfers; i++)
            {
                string up = UploadName(i);
                var result = uploads[up];
                if (result.RemotePath != "/" + up || result.Renamed)
                {
                    mismatches.Add($"upload {up} was stored as {result.RemotePath} (renamed: {result.Renamed})");
                }
                string stored = Path.Join(root, up);
                if (!File.Exists(stored) || Faults.Sha256(stored) != Faults.Sha256(Path.Join(sources, up)))
                {
                    mismatches.Add($"upload {up} ({uploadSizes[i]} bytes): the server's copy differs ({(File.Exists(stored) ? new FileInfo(stored).Length + " bytes" : "missing")})");
                }
                string down = DownloadName(i);
                string received = Path.Join(downloads, down);
                if (!File.Exists(received) || Faults.Sha256(received) != Faults.Sha256(Path.Join(root, down)))
                {
                    mismatches.Add($"download {down} ({downloadSizes[i]} bytes): the local copy differs ({(File.Exists(received) ? new FileInfo(received).Length + " bytes" : "missing")})");
                }
            }
            Assert.True(mismatches.Count == 0, $"{tag} {mismatches.Count} copies are not byte-exact:\n{string.Join("\n", mismatches)}");

            // No duplicate (name_1), no partial, nothing else: on the server's disk, in its listing, and on the local side.
            var expected = new SortedSet<string>(Enumerable.Range(0, Transfers).SelectMany(i => new[] { UploadName(i), DownloadName(i) }), StringComparer.Ordinal);
            var onDisk = Faults.VisibleEntries(root);
            Assert.True(onDisk.SetEquals(expected), $"{tag} the server root holds {Describe(onDisk, expected)}");
            using (var direct = await FtpSession.ConnectAsync(Faults.SessionOptions(server.EndPoint.Port)))
            {
                var listed = new SortedSet<string>((await direct.ListAsync("/", recurse: true)).Select(item => item.FullName.TrimStart('/')), StringComparer.Ordinal);
                Assert.True(listed.SetEquals(expected), $"{tag} the listing shows {Describe(listed, expected)}");
            }
            var local = Faults.VisibleEntries(downloads);
            var expectedLocal = new SortedSet<string>(Enumerable.Range(0, Transfers).Select(DownloadName), StringComparer.Ordinal);
            Assert.True(local.SetEquals(expectedLocal), $"{tag} the download folder holds {Describe(local, expectedLocal)}");

            foreach (var kind in Enum.GetValues<FaultKind>())
            {
                Assert.True(proxy.Count(kind) > 0, $"{tag} the proxy injected no {kind} ({proxy.Summary}): the suite did not test what it claims");
            }
            string[] leftovers = Directory.Exists(Path.Join(root, ".psftp", "partial")) ? Directory.GetFiles(Path.Join(root, ".psftp", "partial")) : [];
            output.WriteLine($"passed in {watch.Elapsed.TotalSeconds:0.0} s; {leftovers.Length} files left in .psftp/partial");
        }
        finally
        {
            foreach (string line in proxyLog)
            {
                output.WriteLine(line);
            }
            foreach (string line in serverLog.Lines.Where(l => !l.Contains("Information", StringComparison.Ordinal)).TakeLast(100))
            {
                output.WriteLine(line);
            }
            Directory.Delete(sandbox, recursive: true);
        }
    }

    private static string UploadName(int i) => $"up-{i:D3}.bin";

    private static string DownloadName(int i) => $"dl-{i:D3}.bin";

    private static string Describe(SortedSet<string> actual, SortedSet<string> expected)
    {
        var extra = actual.Except(expected).ToList();
        var missing = expected.Except(actual).ToList();
        return $"{extra.Count} unexpected entries [{string.Join(", ", extra.Take(20))}] and misses {missing.Count} [{string.Join(", ", missing.Take(20))}]";
    }
}
