using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Hashing;
using PSSocketFtp.Client;
using PSSocketFtp.Protocol;
using Xunit.Abstractions;

namespace PSSocketFtp.Load.Tests;

/// <summary>Many sessions at once against one server process; the figures are printed to the test output.</summary>
public sealed class LoadTests(ServerFixture server, ITestOutputHelper output) : IClassFixture<ServerFixture>
{
    private const int Clients = 200;
    private const int IdleSessions = 1000;
    // Generous: the server idles near 60-80 MiB; the bound catches per-transfer or per-connection buffering that grows.
    private const long MemoryBound = 768L << 20;

    private FtpSessionOptions Options => new()
    {
        ComputerName = "127.0.0.1",
        Port = server.Port,
        ConnectTimeout = TimeSpan.FromSeconds(30),
        NoProgressTimeout = TimeSpan.FromSeconds(30),
    };

    [Fact]
    public async Task Sessions_200ConcurrentTransfers_AllVerifiedAndMemoryBounded()
    {
        Directory.CreateDirectory(Path.Join(server.Root, "shared"));
        server.ResetPeak();
        var clock = Stopwatch.StartNew();
        var sameName = new ConcurrentBag<(string Path, string Hash)>();
        int transfers = 0;

        await Task.WhenAll(Enumerable.Range(0, Clients).Select(i => Task.Run(async () =>
        {
            using var session = await FtpSession.ConnectAsync(Options);
            var random = new Random(i);
            var mine = new byte[random.Next(16 << 10, 256 << 10)];
            random.NextBytes(mine);
            var up = await session.UploadAsync(new MemoryStream(mine), $"u{i}.bin", "/shared/", ConflictMode.Fail);
            Assert.Equal(Hex(mine), up.Hash);

            // Everyone uploads the same name: the duplicate-name rule must give each its own file.
            var same = new byte[32 << 10];
            random.NextBytes(same);
            var dup = await session.UploadAsync(new MemoryStream(same), "same.bin", "/shared/", ConflictMode.Rename);
            sameName.Add((dup.RemotePath, Hex(same)));

            var listed = await session.ListAsync("/shared");
            Assert.Contains(listed, item => item.Name == $"u{i}.bin");

            var back = new MemoryStream();
            var down = await session.DownloadAsync($"/shared/u{i}.bin", back);
            Assert.Equal(Hex(mine), Hex(back.ToArray()));
            Assert.Equal(up.Hash, down.Hash);

            await session.RemoveAsync($"/shared/u{i}.bin");
            Interlocked.Add(ref transfers, 3);
        })));

        // Every same-name upload landed under a name of its own, with its own bytes.
        Assert.Equal(Clients, sameName.Select(s => s.Path).Distinct(StringComparer.Ordinal).Count());
        using (var checker = await FtpSession.ConnectAsync(Options))
        {
            foreach (var (path, hash) in sameName)
            {
                var copy = new MemoryStream();
                await checker.DownloadAsync(path, copy);
                Assert.Equal(hash, Hex(copy.ToArray()));
                transfers++;
            }
            var left = await checker.ListAsync("/shared");
            Assert.Equal(Clients, left.Count);
            Assert.DoesNotContain(left, item => item.Name.StartsWith('u'));
        }
        clock.Stop();

        long peak = server.PeakSampledWorkingSet;
        output.WriteLine($"{Clients} concurrent sessions, {transfers} verified transfers in {clock.Elapsed.TotalSeconds:F1} s; " +
            $"server peak working set sampled {Mib(peak)} MiB (lifetime high-water mark {Mib(server.PeakWorkingSet)} MiB)");
        Assert.True(peak < MemoryBound, $"The server's working set reached {Mib(peak)} MiB.");
    }

    [Fact]
    public async Task Remove_WhileDownloading_DownloadCompletesFromOpenFile()
    {
        var content = new byte[32 << 20];
        new Random(7).NextBytes(content);
        using var writer = await FtpSession.ConnectAsync(Options);
        await writer.UploadAsync(new MemoryStream(content), "doomed.bin", "/");

        using var reader = await FtpSession.ConnectAsync(Options);
        var progress = new PausingProgress();
        var sink = new MemoryStream();
        // On a thread of its own: the first progress report may come before DownloadAsync returns, and it blocks.
        var download = Task.Run(() => reader.DownloadAsync("/doomed.bin", sink, progress: progress));
        long seen = await progress.Started.WaitAsync(TimeSpan.FromSeconds(30));

        await writer.RemoveAsync("/doomed.bin");
        progress.Release();
        var result = await download.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(seen < content.Length, "The download had finished before the remove.");
        Assert.Equal(Hex(content), Hex(sink.ToArray()));
        Assert.Equal(Hex(content), result.Hash);
        Assert.False(File.Exists(Path.Join(server.Root, "doomed.bin")));
    }

    [Fact]
    public async Task Sessions_1000Idle_AllStillAnswerPing()
    {
        server.ResetPeak();
        long before = server.WorkingSet;
        var sessions = new FtpSession[IdleSessions];
        var clock = Stopwatch.StartNew();
        try
        {
            // In waves, so the listen backlog is not the thing being tested.
            for (int wave = 0; wave < IdleSessions; wave += 100)
            {
                await Task.WhenAll(Enumerable.Range(wave, 100).Select(async i => sessions[i] = await FtpSession.ConnectAsync(Options)));
            }
            long held = server.WorkingSet;

            await Task.WhenAll(sessions.Select(s => s.PingAsync()));

            clock.Stop();
            Assert.All(sessions, s => Assert.True(s.IsConnected));
            output.WriteLine($"{IdleSessions} idle sessions held and pinged in {clock.Elapsed.TotalSeconds:F1} s; server working set " +
                $"{Mib(before)} MiB before, {Mib(held)} MiB holding them ({(held - before) / IdleSessions / 1024} KiB each), peak {Mib(server.PeakSampledWorkingSet)} MiB");
            Assert.True(server.PeakSampledWorkingSet < MemoryBound, $"The server's working set reached {Mib(server.PeakSampledWorkingSet)} MiB.");
        }
        finally
        {
            foreach (var session in sessions)
            {
                session?.Dispose();
            }
        }
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(XxHash128.Hash(bytes));

    private static long Mib(long bytes) => bytes >> 20;

    /// <summary>Holds the download still (the client stops reading) at its first progress report until released.</summary>
    private sealed class PausingProgress : IProgress<FtpTransferProgress>
    {
        private readonly TaskCompletionSource<long> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly ManualResetEventSlim _release = new();

        public Task<long> Started => _started.Task;

        public void Release() => _release.Set();

        public void Report(FtpTransferProgress value)
        {
            if (value.BytesTransferred > 0 && _started.TrySetResult(value.BytesTransferred))
            {
                _release.Wait(TimeSpan.FromSeconds(30));
            }
        }
    }
}
