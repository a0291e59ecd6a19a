using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using PSSocketFtp.Client;
using PSSocketFtp.Protocol;
using PSSocketFtp.Server;

namespace PSSocketFtp.S3.Tests;

/// <summary>
/// Issue #14 with the real engines: three server processes on one S3 prefix (Ceph's radosgw) behind HAProxy, through
/// the client library. Each test uses folders of its own under the class's prefix, so they do not depend on their order.
/// </summary>
[Collection(CephCollection.Name)]
public sealed class ScaleOutTests(CephFixture ceph, ScaleOutCluster cluster, ITestOutputHelper output) : IClassFixture<ScaleOutCluster>
{
    private const int PartSize = S3Upload.PartSize;

    [SkippableFact]
    public async Task ManySessions_UploadAndDownloadThroughHaproxy_SpreadOverAllServers_ByteExact()
    {
        await cluster.StartAsync(ceph);
        const int Sessions = 20, Files = 10;
        var watch = Stopwatch.StartNew();
        var random = new Random(14);
        // Mostly small files (one put each, some empty or a byte), and one past a part in every fourth session (multipart).
        var bodies = Enumerable.Range(0, Sessions).Select(s => Enumerable.Range(0, Files).Select(f => RandomBytes(random, f switch
        {
            0 when s % 4 == 0 => PartSize + random.Next(1, 1 << 20),
            1 => s % 3,
            _ => random.Next(2, 200_000),
        })).ToArray()).ToArray();
        var before = await cluster.StatsAsync();

        var sessions = await Task.WhenAll(Enumerable.Range(0, Sessions).Select(_ => FtpSession.ConnectAsync(cluster.ThroughFront())));
        try
        {
            var open = await cluster.StatsAsync();
            await Task.WhenAll(sessions.Select(async (session, s) =>
            {
                string folder = $"/many/s{s}/";
                await session.CreateFolderAsync(folder, existingOk: true);
                for (int f = 0; f < Files; f++)
                {
                    using var source = new MemoryStream(bodies[s][f]);
                    var result = await session.UploadAsync(source, $"f{f}.bin", folder);
                    Assert.Equal($"{folder}f{f}.bin", result.RemotePath);
                }
            }));
            output.WriteLine($"{Sessions * Files} uploads ({bodies.Sum(b => b.Sum(f => (long)f.Length)) >> 20} MiB) in {watch.Elapsed.TotalSeconds:0.0} s");
            // Each session reads the next one's files: most of them were written through another server.
            await Task.WhenAll(sessions.Select(async (session, s) =>
            {
                int other = (s + 1) % Sessions;
                for (int f = 0; f < Files; f++)
                {
                    using var back = new MemoryStream();
                    await session.DownloadAsync($"/many/s{other}/f{f}.bin", back);
                    Assert.True(bodies[other][f].AsSpan().SequenceEqual(back.ToArray()), $"/many/s{other}/f{f}.bin came back different");
                }
            }));
            output.WriteLine($"and {Sessions * Files} downloads, all in {watch.Elapsed.TotalSeconds:0.0} s");

            var after = await cluster.StatsAsync();
            var spread = Enumerable.Range(0, ScaleOutCluster.Count).Select(i => after[i].Total - before[i].Total).ToArray();
            output.WriteLine($"sessions per server: {string.Join(", ", spread)}; open at once: {string.Join(", ", open.Select(o => o.Current))}");
            Assert.Equal(Sessions, spread.Sum());
            // leastconn with 20 sessions open together: about 7 each.
            Assert.All(spread, n => Assert.InRange(n, Sessions / ScaleOutCluster.Count / 2, Sessions));
        }
        finally
        {
            foreach (var session in sessions)
            {
                session.Dispose();
            }
        }
    }

    [SkippableFact]
    public async Task UploadFileAsync_ServerKilledMidBody_RetryResumesOnAnotherServerThroughHaproxy()
    {
        await cluster.StartAsync(ceph);
        await ScaleOutScenarios.ServerKilledMidBodyResumesOnAnotherAsync(cluster, "/kill", output);
    }

    [SkippableFact]
    public async Task Connect_ThroughHaproxyJustAfterAServerDied_DefaultRetriesRideOutTheHealthCheck()
    {
        await cluster.StartAsync(ceph);
        // A session on each of the other servers: until the health check marks the dead server DOWN it has the fewest
        // sessions, and leastconn sends the next connection there.
        const int Victim = 0;
        var held = new List<FtpSession>();
        try
        {
            while ((await cluster.StatsAsync()).Where((s, i) => i != Victim).Any(s => s.Current == 0))
            {
                held.Add(await FtpSession.ConnectAsync(cluster.ThroughFront()));
                var stats = await cluster.StatsAsync();
                if (stats[Victim].Current > 0)
                {
                    held[^1].Dispose();
                    await ScaleOutCluster.WaitUntilAsync(async () => (await cluster.StatsAsync())[Victim].Current == 0, "the victim's session to end");
                }
            }
            var watch = Stopwatch.StartNew();
            cluster.Server(Victim).Kill();
            var before = (await cluster.StatsAsync())[Victim];
            var retries = new ConcurrentQueue<FtpRetryEventArgs>();

            // The session's default retry settings: what a user gets.
            using var session = await FtpSession.ConnectAsync(cluster.ThroughFront(), (_, e) => retries.Enqueue(e));
            await session.PingAsync();
            var after = await cluster.StatsAsync();
            output.WriteLine($"s{Victim + 1} was {before.Status} right after the kill; the client was connected {watch.Elapsed.TotalSeconds:0.0} s after it, with {retries.Count} retries; s{Victim + 1} is {after[Victim].Status} now");
            ScaleOutScenarios.WriteRetries(output, retries);
            Assert.Equal(1, after.Where((s, i) => i != Victim).Sum(s => s.Current - 1));
        }
        finally
        {
            foreach (var session in held)
            {
                session.Dispose();
            }
        }
    }

    [SkippableFact]
    public async Task UploadAsync_OneNameThroughTwoServersAtOnce_KeepsBoth()
    {
        await cluster.StartAsync(ceph);
        // Straight to two different servers (leastconn would not promise it), started together.
        using var a = await FtpSession.ConnectAsync(cluster.Direct(0));
        using var b = await FtpSession.ConnectAsync(cluster.Direct(1));
        using var reader = await FtpSession.ConnectAsync(cluster.Direct(2));
        await a.CreateFolderAsync("/race", existingOk: true);
        foreach (int length in new[] { 100_000, PartSize + 4096 })
        {
            string name = $"x{length}.bin";
            var bodyA = RandomNumberGenerator.GetBytes(length);
            var bodyB = RandomNumberGenerator.GetBytes(length);
            var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var fromA = Task.Run(async () =>
            {
                await go.Task;
                return await a.UploadAsync(new MemoryStream(bodyA), name, "/race/");
            });
            var fromB = Task.Run(async () =>
            {
                await go.Task;
                return await b.UploadAsync(new MemoryStream(bodyB), name, "/race/");
            });
            go.SetResult();
            var results = await Task.WhenAll(fromA, fromB);

            string stem = $"/race/x{length}";
            Assert.Equal([$"{stem}.bin", $"{stem}_1.bin"], results.Select(r => r.RemotePath).Order(StringComparer.Ordinal));
            Assert.Equal([$"{stem}.bin", $"{stem}_1.bin"], (await reader.ListAsync("/race")).Select(i => i.FullName).Where(n => n.StartsWith(stem, StringComparison.Ordinal)));
            foreach (var (result, body) in new[] { (results[0], bodyA), (results[1], bodyB) })
            {
                using var back = new MemoryStream();
                await reader.DownloadAsync(result.RemotePath, back);
                Assert.True(body.AsSpan().SequenceEqual(back.ToArray()), $"{result.RemotePath} does not hold the bytes of the upload that was told it");
            }
        }
    }

    [SkippableFact]
    public async Task ListAndRemove_SeenAlikeOnEveryServer()
    {
        await cluster.StartAsync(ceph);
        using (var front = await FtpSession.ConnectAsync(cluster.ThroughFront()))
        {
            await front.CreateFolderAsync("/tree/empty");
            await front.CreateFolderAsync("/tree/sub/deeper");
            await front.UploadAsync(new MemoryStream(RandomNumberGenerator.GetBytes(1000)), "a.txt", "/tree/");
            await front.UploadAsync(new MemoryStream(RandomNumberGenerator.GetBytes(70_000)), "b.bin", "/tree/sub/");
            await front.UploadAsync(new MemoryStream(RandomNumberGenerator.GetBytes(PartSize + 1)), "c.bin", "/tree/sub/deeper/");
        }
        var servers = await Task.WhenAll(Enumerable.Range(0, ScaleOutCluster.Count).Select(i => FtpSession.ConnectAsync(cluster.Direct(i))));
        try
        {
            async Task<string[][]> ListEachAsync() => await Task.WhenAll(servers.Select(async s =>
                (await s.ListAsync("/tree", recurse: true)).Select(i => $"{i.FullName} {i.IsDirectory} {i.Length} {i.LastWriteTimeUtc:O}").ToArray()));

            var listings = await ListEachAsync();
            Assert.Equal(
                ["/tree/a.txt", "/tree/empty", "/tree/sub", "/tree/sub/b.bin", "/tree/sub/deeper", "/tree/sub/deeper/c.bin"],
                listings[0].Select(l => l.Split(' ')[0]));
            Assert.All(listings, l => Assert.Equal(listings[0], l));

            await servers[0].RemoveAsync("/tree/a.txt");
            listings = await ListEachAsync();
            Assert.All(listings, l => Assert.DoesNotContain(l, e => e.StartsWith("/tree/a.txt ", StringComparison.Ordinal)));
            Assert.All(listings, l => Assert.Equal(listings[0], l));
            await Assert.ThrowsAnyAsync<FtpException>(() => servers[2].GetItemAsync("/tree/a.txt"));

            await servers[1].RemoveAsync("/tree/sub", recurse: true);
            listings = await ListEachAsync();
            Assert.All(listings, l => Assert.Equal([$"/tree/empty"], l.Select(e => e.Split(' ')[0])));
            await servers[2].RemoveAsync("/tree/empty");
            Assert.All(await ListEachAsync(), Assert.Empty);
        }
        finally
        {
            foreach (var session in servers)
            {
                session.Dispose();
            }
        }
    }

    [SkippableFact]
    public async Task Server_RestartedWithEmptyRoot_ServesEverything()
    {
        await cluster.StartAsync(ceph);
        var files = new Dictionary<string, byte[]>
        {
            ["/fresh/small.bin"] = RandomNumberGenerator.GetBytes(123_456),
            ["/fresh/sub/large.bin"] = RandomNumberGenerator.GetBytes(PartSize + 99),
        };
        using (var writer = await FtpSession.ConnectAsync(cluster.Direct(0)))
        {
            await writer.CreateFolderAsync("/fresh/sub");
            foreach (var (path, body) in files)
            {
                await writer.UploadAsync(new MemoryStream(body), Path.GetFileName(path), Path.GetDirectoryName(path) + "/");
            }
        }

        await cluster.RestartAsync(2);
        using var fresh = await FtpSession.ConnectAsync(cluster.Direct(2));
        Assert.Equal(["/fresh/small.bin", "/fresh/sub", "/fresh/sub/large.bin"], (await fresh.ListAsync("/fresh", recurse: true)).Select(i => i.FullName));
        foreach (var (path, body) in files)
        {
            using var back = new MemoryStream();
            await fresh.DownloadAsync(path, back);
            Assert.True(body.AsSpan().SequenceEqual(back.ToArray()), $"{path} came back different from the restarted server");
        }
        // And what it stores, the others read.
        var written = RandomNumberGenerator.GetBytes(50_000);
        await fresh.UploadAsync(new MemoryStream(written), "new.bin", "/fresh/");
        using var other = await FtpSession.ConnectAsync(cluster.Direct(1));
        using var copy = new MemoryStream();
        await other.DownloadAsync("/fresh/new.bin", copy);
        Assert.Equal(written, copy.ToArray());
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
