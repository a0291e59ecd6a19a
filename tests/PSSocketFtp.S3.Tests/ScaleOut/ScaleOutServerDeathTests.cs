using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using PSSocketFtp.Client;
using PSSocketFtp.Server;
using PSSocketFtp.TestSupport;

namespace PSSocketFtp.S3.Tests;

/// <summary>
/// Issue #14: one server's death cuts many sessions at once, in the middle of their uploads. The clients (default
/// retry settings) reconnect through HAProxy to the other servers, resume from the parts S3 holds, and each file
/// ends up stored once.
/// </summary>
[Collection(CephCollection.Name)]
public sealed class ScaleOutServerDeathTests(CephFixture ceph, ScaleOutCluster cluster, ITestOutputHelper output) : IClassFixture<ScaleOutCluster>
{
    private const int PartSize = S3Upload.PartSize;

    [SkippableFact]
    public async Task UploadAsync_ManySessionsCutByOneServersDeath_EachFileOnceByteExact()
    {
        await cluster.StartAsync(ceph);
        const int Sessions = 12;
        const string Folder = "/cut";
        var watch = Stopwatch.StartNew();
        // Two parts each (one whole and a short one), each length its own.
        var bodies = Enumerable.Range(0, Sessions).Select(s => RandomNumberGenerator.GetBytes(PartSize + (4 << 20) + s)).ToArray();
        var retries = new ConcurrentQueue<FtpRetryEventArgs>();
        // The sessions' default retry settings: what a user gets.
        var sessions = await Task.WhenAll(Enumerable.Range(0, Sessions).Select(_ => FtpSession.ConnectAsync(cluster.ThroughFront(), (_, e) => retries.Enqueue(e))));
        try
        {
            var spread = await cluster.StatsAsync();
            output.WriteLine($"sessions per server: {string.Join(", ", spread.Select(s => s.Current))}");
            Assert.Equal(Sessions, spread.Sum(s => s.Current));
            Assert.All(spread, s => Assert.InRange(s.Current, 1, Sessions));
            int victim = spread.ToList().FindIndex(s => s.Current == spread.Max(m => m.Current));
            int cutOff = spread[victim].Current;
            await sessions[0].CreateFolderAsync(Folder, existingOk: true);

            // Each upload is held on its client's sending thread once a part and a bit are sent, so that S3 stores part 1
            // of every upload and the kill lands in the middle of every body.
            var holds = bodies.Select(_ => new HoldPoint(PartSize + (1 << 20))).ToArray();
            var uploads = sessions.Select((session, s) => Task.Run(() => session.UploadAsync(new MemoryStream(bodies[s]), $"f{s}.bin", Folder + "/", progress: holds[s]))).ToArray();
            await Task.WhenAll(holds.Select(h => h.WaitReachedAsync()));
            await ScaleOutCluster.WaitUntilAsync(
                async () => await cluster.PartsHeldAsync() is { } held && held.Count == Sessions && held.All(h => h >= PartSize),
                "a part of every upload stored in S3",
                TimeSpan.FromSeconds(50));
            output.WriteLine($"every upload held with a part stored after {watch.Elapsed.TotalSeconds:0.0} s; killing s{victim + 1} with {cutOff} of them");
            var sinceKill = Stopwatch.StartNew();
            cluster.Server(victim).Kill();
            foreach (var hold in holds)
            {
                hold.Release();
            }
            var results = await Task.WhenAll(uploads).WaitAsync(TimeSpan.FromSeconds(120));
            output.WriteLine($"all {Sessions} done {sinceKill.Elapsed.TotalSeconds:0.0} s after the kill; resumed from (MiB): {string.Join(", ", results.Where(r => r.Attempts > 1).Select(r => r.ResumedFrom >> 20))}; {retries.Count} retries");
            ScaleOutScenarios.WriteRetries(output, retries);

            for (int s = 0; s < Sessions; s++)
            {
                Assert.Equal($"{Folder}/f{s}.bin", results[s].RemotePath);
                Assert.False(results[s].Renamed);
            }
            // Those on the dead server tried again and went on from the part S3 holds; the others went through in one try.
            var cut = results.Where(r => r.Attempts > 1).ToArray();
            Assert.Equal(cutOff, cut.Length);
            Assert.All(cut, r => Assert.True(r.ResumedFrom >= PartSize, $"{r.RemotePath} resumed from {r.ResumedFrom}, not from the part stored before the kill"));
            Assert.All(results.Except(cut), r => Assert.Equal(0, r.ResumedFrom));

            // Every remaining server lists each file once (no f3_1.bin of a retried upload) and returns it byte-exact.
            string[] expected = [.. Enumerable.Range(0, Sessions).Select(s => $"{Folder}/f{s}.bin").Order(StringComparer.Ordinal)];
            var remaining = Enumerable.Range(0, ScaleOutCluster.Count).Where(i => i != victim).ToArray();
            foreach (int i in remaining)
            {
                using var direct = await FtpSession.ConnectAsync(cluster.Direct(i));
                Assert.Equal(expected, (await direct.ListAsync(Folder)).Select(item => item.FullName).Order(StringComparer.Ordinal));
                for (int s = Array.IndexOf(remaining, i); s < Sessions; s += remaining.Length)
                {
                    using var back = new MemoryStream();
                    await direct.DownloadAsync($"{Folder}/f{s}.bin", back);
                    Assert.True(bodies[s].AsSpan().SequenceEqual(back.ToArray()), $"s{i + 1} returned other bytes for f{s}.bin");
                }
            }
            output.WriteLine($"checked on the remaining servers; {watch.Elapsed.TotalSeconds:0.0} s in all");
        }
        finally
        {
            foreach (var session in sessions)
            {
                session.Dispose();
            }
        }
    }
}
