using System.Diagnostics;
using PSSocketFtp.Client;
using PSSocketFtp.Protocol;
using PSSocketFtp.TestSupport;

namespace PSSocketFtp.Faults.Tests;

/// <summary>
/// The real server process while an operator changes its folder from a shell: emptied with <c>find</c>, removed with
/// <c>rm -rf</c>, made again. What the client is told and what the server's own console log says.
/// </summary>
public sealed class StorageRecoveryProcessTests
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Upload_RootEmptiedThenRemovedThenMadeAgain_StoredThenClearErrorLoggedThenStored()
    {
        string sandbox = Faults.NewSandbox("storage");
        string root = Path.Join(sandbox, "root");
        string source = Path.Join(sandbox, "file.txt");
        File.WriteAllText(source, "content");
        try
        {
            await using var server = await ServerProcess.StartAsync(new ServerStart(root));
            using var session = await FtpSession.ConnectAsync(Faults.SessionOptions(server.Port, retryCount: 0));
            await session.UploadFileAsync(source, "/");

            Shell($"find '{root}' -mindepth 1 -delete");
            var afterEmptied = await session.UploadFileAsync(source, "/");
            Shell($"rm -rf '{root}'");
            var error = await Assert.ThrowsAsync<FtpException>(() => session.UploadFileAsync(source, "/"));
            // The log names the folder, for the operator; the client is told what is wrong without the server's paths.
            await Faults.WaitUntilAsync(() => server.Output.Any(l => l.Contains($"The root folder '{root}' does not exist", StringComparison.Ordinal)), Bounded, "the missing root in the server's log");
            Directory.CreateDirectory(root);
            var afterMadeAgain = await session.UploadFileAsync(source, "/");

            Assert.Equal("/file.txt", afterEmptied.RemotePath);
            Assert.Equal(FtpStatus.InternalError, error.Status);
            Assert.Contains("root folder is missing", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(sandbox, error.Message);
            Assert.Equal("/file.txt", afterMadeAgain.RemotePath);
            Assert.Equal(["file.txt"], Faults.VisibleEntries(root));
            Assert.False(server.HasExited);
        }
        finally
        {
            Directory.Delete(sandbox, recursive: true);
        }
    }

    private static void Shell(string command)
    {
        using var process = Process.Start("/bin/sh", ["-c", command]);
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
    }
}
