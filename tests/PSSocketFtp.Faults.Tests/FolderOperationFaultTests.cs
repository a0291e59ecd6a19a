using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using PSSocketFtp.Client;
using PSSocketFtp.Server;
using Proxy = PSSocketFtp.FaultProxy.FaultProxy;
using FaultKind = PSSocketFtp.FaultProxy.FaultKind;
using FaultProxyOptions = PSSocketFtp.FaultProxy.FaultProxyOptions;

namespace PSSocketFtp.Faults.Tests;

/// <summary>
/// MKDIR and RENAME through a proxy that cuts, stalls and flips bytes: requests whose answers are lost are sent again,
/// and each must end as if sent once (a folder made once, an item moved once, no error for what the lost try did).
/// PSSOCKETFTP_FAULT_SEED=N replays a run.
/// </summary>
public sealed class FolderOperationFaultTests(ITestOutputHelper output)
{
    private const int Items = 60;

    [Fact]
    public async Task MakeFolderAndRename_SeededFaults_EachDoneOnceAndNothingLost()
    {
        int seed = Faults.Seed;
        string tag = $"[fault seed {seed}; replay with PSSOCKETFTP_FAULT_SEED={seed}]";
        output.WriteLine($"folder operations {tag}");
        string sandbox = Faults.NewSandbox("folders");
        string root = Path.Join(sandbox, "root");
        Directory.CreateDirectory(root);
        var proxyLog = new ConcurrentQueue<string>();
        var failures = new ConcurrentQueue<string>();
        try
        {
            for (int i = 0; i < Items; i++)
            {
                File.WriteAllText(Path.Join(root, $"f-{i:D2}"), $"content {i}");
            }
            await using var server = await FtpServerHost.StartAsync(["--root", root, "--port", "0", "--bind", "127.0.0.1"], logging => logging.ClearProviders());
            await using var proxy = Proxy.Start(new FaultProxyOptions
            {
                Target = server.EndPoint,
                Seed = seed,
                CutRate = 0.15,
                StallRate = 0.02,
                FlipRate = 0.1,
                // Control frames are small: a point every few hundred bytes hits requests and answers alike.
                MaxOffset = 4096,
                MinStall = TimeSpan.FromMilliseconds(100),
                MaxStall = TimeSpan.FromSeconds(1),
                Log = proxyLog.Enqueue,
            });

            using (var session = await FtpSession.ConnectAsync(Faults.SessionOptions(proxy.EndPoint.Port)))
            {
                await session.CreateFolderAsync("/moved", existingOk: true);
                for (int i = 0; i < Items; i++)
                {
                    try
                    {
                        await session.CreateFolderAsync($"/d-{i:D2}");
                        var renamed = await session.RenameAsync($"/f-{i:D2}", $"/d-{i:D2}/g-{i:D2}");
                        var moved = await session.RenameAsync($"/d-{i:D2}", $"/moved/d-{i:D2}");
                        if (renamed.FullName != $"/d-{i:D2}/g-{i:D2}" || moved.FullName != $"/moved/d-{i:D2}" || !moved.IsDirectory)
                        {
                            failures.Enqueue($"item {i}: answered {renamed.FullName} and {moved.FullName}");
                        }
                    }
                    catch (Exception e)
                    {
                        failures.Enqueue($"item {i} after {proxy.TotalFaults} faults: {e.GetType().Name}: {e.Message}");
                    }
                }
            }
            proxy.Enabled = false;
            output.WriteLine(proxy.Summary);

            Assert.True(failures.IsEmpty, $"{tag} {failures.Count} items failed:\n{string.Join("\n", failures)}");
            var expected = new SortedSet<string>(
                Enumerable.Range(0, Items).SelectMany(i => new[] { $"moved/d-{i:D2}", $"moved/d-{i:D2}/g-{i:D2}" }).Append("moved"),
                StringComparer.Ordinal);
            var onDisk = Faults.VisibleEntries(root);
            Assert.True(onDisk.SetEquals(expected), $"{tag} the root holds [{string.Join(", ", onDisk.Except(expected))}] too and misses [{string.Join(", ", expected.Except(onDisk))}]");
            for (int i = 0; i < Items; i++)
            {
                Assert.Equal($"content {i}", File.ReadAllText(Path.Join(root, "moved", $"d-{i:D2}", $"g-{i:D2}")));
            }
            Assert.True(proxy.Count(FaultKind.Cut) > 0 && proxy.Count(FaultKind.Flip) > 0, $"{tag} the proxy injected too little ({proxy.Summary})");
        }
        finally
        {
            foreach (string line in proxyLog)
            {
                output.WriteLine(line);
            }
            Directory.Delete(sandbox, recursive: true);
        }
    }
}
