using System.Diagnostics;
using PSSocketFtp.Client;
using PSSocketFtp.TestSupport;

namespace PSSocketFtp.Faults.Tests;

/// <summary>
/// The real server process is killed (SIGKILL, no cleanup) part way through a large transfer and started again on the
/// same port and root; the client's retries must carry the transfer through by resuming, byte-exact, without a duplicate.
/// </summary>
public sealed class ServerKillTests(ITestOutputHelper output)
{
    private const long Large = 200L * 1024 * 1024;
    private const long KillAfter = 64L * 1024 * 1024;
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task UploadFileAsync_ServerKilledMidBody_ResumesToByteExactCopy()
    {
        string sandbox = Faults.NewSandbox("kill-up");
        string root = Path.Join(sandbox, "root");
        string source = Path.Join(sandbox, "large.bin");
        Directory.CreateDirectory(root);
        Faults.WriteLargeFile(source, Large, seed: 11);
        string partials = Path.Join(root, ".psftp", "partial");
        var first = await ServerProcess.StartAsync(new ServerStart(root));
        ServerProcess? second = null;
        try
        {
            int port = first.Port;
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            // Holds the client's sender at the kill point until the server is dead, so the kill lands mid-body every time.
            var progress = new InlineProgress(p =>
            {
                if (p.BytesTransferred >= KillAfter && reached.TrySetResult())
                {
                    killed.Task.Wait(Bounded);
                }
            });
            using var session = await FtpSession.ConnectAsync(Faults.SessionOptions(port, retryCount: 200, maxRetryDelay: TimeSpan.FromMilliseconds(250), noProgress: TimeSpan.FromSeconds(10)));
            var watch = Stopwatch.StartNew();
            var upload = Task.Run(() => session.UploadFileAsync(source, "/", progress: progress));

            await reached.Task.WaitAsync(Bounded);
            // The server must hold part of the file before it dies, or there would be nothing to resume.
            await Faults.WaitUntilAsync(() => LargestPartial(partials) > 0, Bounded, $"a partial file under {partials}");
            long held = LargestPartial(partials);
            first.Kill();
            killed.SetResult();
            output.WriteLine($"killed the server holding {held} bytes of {Large} after {watch.Elapsed.TotalSeconds:0.0} s");
            second = await ServerProcess.StartAsync(new ServerStart(root) { Port = port });

            var result = await upload.WaitAsync(Bounded);
            output.WriteLine($"upload done in {watch.Elapsed.TotalSeconds:0.0} s: resumed from {result.ResumedFrom}, {result.Attempts} attempts");

            Assert.Equal("/large.bin", result.RemotePath);
            Assert.False(result.Renamed);
            Assert.True(result.ResumedFrom > 0, $"the upload started again from 0 instead of resuming ({result.Attempts} attempts; the server held {held} bytes)");
            Assert.Equal(Faults.Sha256(source), Faults.Sha256(Path.Join(root, "large.bin")));
            Assert.Equal(["large.bin"], Faults.VisibleEntries(root));
        }
        finally
        {
            await first.DisposeAsync();
            if (second is not null)
            {
                await second.DisposeAsync();
            }
            Directory.Delete(sandbox, recursive: true);
        }
    }

    [Fact]
    public async Task DownloadFileAsync_ServerKilledMidBody_ResumesToByteExactCopy()
    {
        string sandbox = Faults.NewSandbox("kill-down");
        string root = Path.Join(sandbox, "root");
        string local = Path.Join(sandbox, "local");
        Directory.CreateDirectory(root);
        Directory.CreateDirectory(local);
        string served = Path.Join(root, "large.bin");
        Faults.WriteLargeFile(served, Large, seed: 12);
        var first = await ServerProcess.StartAsync(new ServerStart(root));
        ServerProcess? second = null;
        try
        {
            int port = first.Port;
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var killed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var progress = new InlineProgress(p =>
            {
                if (p.BytesTransferred >= KillAfter && reached.TrySetResult())
                {
                    killed.Task.Wait(Bounded);
                }
            });
            using var session = await FtpSession.ConnectAsync(Faults.SessionOptions(port, retryCount: 200, maxRetryDelay: TimeSpan.FromMilliseconds(250), noProgress: TimeSpan.FromSeconds(10)));
            var watch = Stopwatch.StartNew();
            string target = Path.Join(local, "large.bin");
            var download = Task.Run(() => session.DownloadFileAsync("/large.bin", target, progress: progress));

            await reached.Task.WaitAsync(Bounded);
            first.Kill();
            killed.SetResult();
            output.WriteLine($"killed the server after {KillAfter} bytes received, {watch.Elapsed.TotalSeconds:0.0} s");
            second = await ServerProcess.StartAsync(new ServerStart(root) { Port = port });

            var result = await download.WaitAsync(Bounded);
            output.WriteLine($"download done in {watch.Elapsed.TotalSeconds:0.0} s: resumed from {result.ResumedFrom}, {result.Attempts} attempts");

            Assert.True(result.ResumedFrom > 0, $"the download started again from 0 instead of resuming ({result.Attempts} attempts)");
            Assert.Equal(Faults.Sha256(served), Faults.Sha256(target));
            Assert.Equal(["large.bin"], Faults.VisibleEntries(local));
            Assert.Equal(["large.bin"], Faults.VisibleEntries(root));
        }
        finally
        {
            await first.DisposeAsync();
            if (second is not null)
            {
                await second.DisposeAsync();
            }
            Directory.Delete(sandbox, recursive: true);
        }
    }

    private static long LargestPartial(string folder) =>
        Directory.Exists(folder) ? Directory.EnumerateFiles(folder).Select(f => new FileInfo(f).Length).DefaultIfEmpty(0).Max() : 0;
}
