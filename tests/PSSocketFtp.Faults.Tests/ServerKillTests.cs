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
        try
        {
            var (result, held) = await KillAndRestartAsync(root, (session, hold) => session.UploadFileAsync(source, "/", progress: hold),
                // The server must hold part of the file before it dies, or there would be nothing to resume.
                whileHeld: async () =>
                {
                    await Faults.WaitUntilAsync(() => Faults.LargestPartial(partials) > 0, Bounded, $"a partial file under {partials}");
                    return $"holding {Faults.LargestPartial(partials)} bytes of {Large}";
                });

            Assert.Equal("/large.bin", result.RemotePath);
            Assert.False(result.Renamed);
            Assert.True(result.ResumedFrom > 0, $"the upload started again from 0 instead of resuming ({result.Attempts} attempts; the server was {held})");
            Assert.Equal(Faults.Sha256(source), Faults.Sha256(Path.Join(root, "large.bin")));
            Assert.Equal(["large.bin"], Faults.VisibleEntries(root));
        }
        finally
        {
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
        string target = Path.Join(local, "large.bin");
        try
        {
            var (result, _) = await KillAndRestartAsync(root, (session, hold) => session.DownloadFileAsync("/large.bin", target, progress: hold),
                whileHeld: () => Task.FromResult($"{KillAfter} bytes received"));

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

    /// <summary>
    /// Runs <paramref name="transfer"/> against a server on <paramref name="root"/>, holds it at <see cref="KillAfter"/>
    /// bytes, lets <paramref name="whileHeld"/> wait for what must be true then (and describe it), kills the server,
    /// starts it again on the same port, and returns the transfer's result and that description.
    /// </summary>
    private async Task<(FtpTransferResult Result, string Held)> KillAndRestartAsync(
        string root, Func<FtpSession, IProgress<FtpTransferProgress>, Task<FtpTransferResult>> transfer, Func<Task<string>> whileHeld)
    {
        await using var server = await RestartableServer.StartAsync(new ServerStart(root));
        var hold = new HoldPoint(KillAfter);
        using var session = await FtpSession.ConnectAsync(server.SessionOptions);
        var watch = Stopwatch.StartNew();
        // On a thread of its own: the hold blocks the thread that reports progress.
        var running = Task.Run(() => transfer(session, hold));

        await hold.WaitReachedAsync();
        string held = await whileHeld();
        server.Current.Kill();
        hold.Release();
        output.WriteLine($"killed the server, {held}, after {watch.Elapsed.TotalSeconds:0.0} s");
        await server.RestartAsync();

        var result = await running.WaitAsync(Bounded);
        output.WriteLine($"done in {watch.Elapsed.TotalSeconds:0.0} s: resumed from {result.ResumedFrom}, {result.Attempts} attempts");
        return (result, held);
    }
}
