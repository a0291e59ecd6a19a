using System.Diagnostics;
using PSSocketFtp.TestSupport;

namespace PSSocketFtp.Faults.Tests;

/// <summary>
/// The real server process is killed (SIGKILL, no cleanup) part way through a large transfer and started again on the
/// same port and root; the client's retries must carry the transfer through by resuming, byte-exact, without a duplicate.
/// </summary>
public sealed class ServerKillTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task UploadFileAsync_ServerKilledMidBody_ResumesToByteExactCopy()
    {
        using var sandbox = new UploadSandbox("kill-up", seed: 11);
        var watch = Stopwatch.StartNew();
        long held = 0;
        await using var server = await RestartableServer.StartAsync(new ServerStart(sandbox.Root));
        var result = await server.StopMidTransferAsync(Faults.MidTransfer, (session, hold) => session.UploadFileAsync(sandbox.Source, "/", progress: hold), async run =>
        {
            // The server must hold part of the file before it dies, or there would be nothing to resume.
            await Faults.WaitUntilAsync(() => Faults.LargestPartial(sandbox.Partials) > 0, Bounded, $"a partial file under {sandbox.Partials}");
            held = Faults.LargestPartial(sandbox.Partials);
            run.Kill();
            output.WriteLine($"killed the server holding {held} bytes of {Faults.LargeLength} after {watch.Elapsed.TotalSeconds:0.0} s");
        });
        output.WriteLine($"upload done in {watch.Elapsed.TotalSeconds:0.0} s: resumed from {result.ResumedFrom}, {result.Attempts} attempts");

        Assert.Equal("/large.bin", result.RemotePath);
        Assert.False(result.Renamed);
        Assert.True(result.ResumedFrom > 0, $"the upload started again from 0 instead of resuming ({result.Attempts} attempts; the server held {held} bytes)");
        Assert.Equal(Faults.Sha256(sandbox.Source), Faults.Sha256(sandbox.Uploaded));
        Assert.Equal(["large.bin"], Faults.VisibleEntries(sandbox.Root));
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
        Faults.WriteLargeFile(served, Faults.LargeLength, seed: 12);
        string target = Path.Join(local, "large.bin");
        try
        {
            var watch = Stopwatch.StartNew();
            await using var server = await RestartableServer.StartAsync(new ServerStart(root));
            var result = await server.StopMidTransferAsync(Faults.MidTransfer, (session, hold) => session.DownloadFileAsync("/large.bin", target, progress: hold), run =>
            {
                run.Kill();
                output.WriteLine($"killed the server after {Faults.MidTransfer} bytes received, {watch.Elapsed.TotalSeconds:0.0} s");
                return Task.CompletedTask;
            });
            output.WriteLine($"download done in {watch.Elapsed.TotalSeconds:0.0} s: resumed from {result.ResumedFrom}, {result.Attempts} attempts");

            Assert.True(result.ResumedFrom > 0, $"the download started again from 0 instead of resuming ({result.Attempts} attempts)");
            Assert.Equal(Faults.Sha256(served), Faults.Sha256(target));
            Assert.Equal(["large.bin"], Faults.VisibleEntries(local));
            Assert.Equal(["large.bin"], Faults.VisibleEntries(root));
        }
        finally
        {
            Directory.Delete(sandbox, recursive: true);
        }
    }
}
