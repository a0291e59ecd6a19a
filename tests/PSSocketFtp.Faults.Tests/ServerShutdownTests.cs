using PSSocketFtp.Client;
using PSSocketFtp.TestSupport;

namespace PSSocketFtp.Faults.Tests;

/// <summary>
/// SIGTERM to the real server process, as Ctrl+C or <c>systemctl stop</c> sends it: the server stops accepting, lets a
/// transfer in flight finish within its grace period or cuts it leaving a resumable partial, and exits with code 0.
/// </summary>
public sealed class ServerShutdownTests(ITestOutputHelper output)
{
    // A bound on waiting, so a stop that hangs fails the test; not a measure of how quickly the server stops.
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Terminate_IdleServer_ExitsZeroAndLogsStop()
    {
        string root = Faults.NewSandbox("term-idle");
        try
        {
            // A grace longer than the bound: an idle connection that held up the stop would fail the test.
            await using var server = await ServerProcess.StartAsync(new ServerStart(root) { Arguments = Grace("00:10:00") });
            using var session = await FtpSession.ConnectAsync(Faults.SessionOptions(server.Port));
            await session.PingAsync();

            server.Terminate();
            int code = await server.WaitForExitAsync(Bounded);

            Assert.Equal(0, code);
            Assert.Contains(server.Output, line => line.Contains("stopping: no new connections", StringComparison.Ordinal));
            Assert.EndsWith("stopped", server.Output[^1], StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Terminate_DuringUpload_UploadFinishesWithinGraceAndServerExitsZero()
    {
        using var sandbox = new UploadSandbox("term-finish", seed: 13);
        await using var server = await ServerProcess.StartAsync(new ServerStart(sandbox.Root) { Arguments = Grace("00:10:00") });
        var hold = new HoldPoint(Faults.MidTransfer);
        using var session = await FtpSession.ConnectAsync(Faults.SessionOptions(server.Port, retryCount: 0, noProgress: TimeSpan.FromSeconds(30)));
        // On a thread of its own: the hold blocks the thread that reports progress.
        var upload = Task.Run(() => session.UploadFileAsync(sandbox.Source, "/", progress: hold));
        await hold.WaitReachedAsync();

        server.Terminate();
        // The stop has begun with the upload's body unfinished; only then may the rest of it come.
        await Faults.WaitUntilAsync(() => server.Output.Any(line => line.Contains("stopping:", StringComparison.Ordinal)), Bounded, "the server logs its stop");
        hold.Release();
        var result = await upload.WaitAsync(Bounded);
        int code = await server.WaitForExitAsync(Bounded);

        Assert.Equal(0, code);
        Assert.Equal(1, result.Attempts);
        Assert.Equal(0, result.ResumedFrom);
        Assert.Equal(Faults.Sha256(sandbox.Source), Faults.Sha256(sandbox.Uploaded));
        Assert.Equal(["large.bin"], Faults.VisibleEntries(sandbox.Root));
        Assert.Equal(0, Faults.LargestPartial(sandbox.Partials));
    }

    [Fact]
    public async Task Terminate_UploadOutlastsGrace_PartialKeptAndResumedAfterRestart()
    {
        using var sandbox = new UploadSandbox("term-cut", seed: 14);
        long kept = 0;
        await using var server = await RestartableServer.StartAsync(new ServerStart(sandbox.Root) { Arguments = Grace("00:00:02") });
        var result = await server.StopMidTransferAsync(Faults.MidTransfer, (session, hold) => session.UploadFileAsync(sandbox.Source, "/", progress: hold), async run =>
        {
            await Faults.WaitUntilAsync(() => Faults.LargestPartial(sandbox.Partials) > 0, Bounded, $"a partial file under {sandbox.Partials}");
            run.Terminate();
            // The client stays held: the grace runs out with the body unfinished, and the server cuts the upload.
            int code = await run.WaitForExitAsync(Bounded);
            kept = Faults.LargestPartial(sandbox.Partials);
            output.WriteLine($"the server exited with code {code}, keeping {kept} bytes of {Faults.LargeLength}");
            Assert.Equal(0, code);
            Assert.True(kept > 0, $"no resumable partial under {sandbox.Partials}");
            Assert.Empty(Faults.VisibleEntries(sandbox.Root));
        });
        output.WriteLine($"upload resumed from {result.ResumedFrom} after {result.Attempts} attempts");

        Assert.Equal("/large.bin", result.RemotePath);
        Assert.False(result.Renamed);
        Assert.Equal(kept, result.ResumedFrom);
        Assert.Equal(Faults.Sha256(sandbox.Source), Faults.Sha256(sandbox.Uploaded));
        Assert.Equal(["large.bin"], Faults.VisibleEntries(sandbox.Root));
        Assert.Equal(0, Faults.LargestPartial(sandbox.Partials));
    }

    private static string[] Grace(string period) => ["--PSSocketFtp:ShutdownGracePeriod", period];
}
