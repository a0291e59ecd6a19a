using Microsoft.Extensions.Logging;
using PSSocketFtp.Client;
using PSSocketFtp.Server;

namespace PSSocketFtp.Faults.Tests;

/// <summary>Transfers at the edges: past 4 GiB (where 32-bit sizes would wrap) and names with spaces and non-ASCII letters.</summary>
public sealed class EdgeTransferTests
{
    [Fact]
    public async Task UploadAndDownload_FileOver4GiB_ByteExact()
    {
        string sandbox = Faults.NewSandbox("over4g");
        try
        {
            // Past 4 GiB and not a multiple of the chunk size, so neither a wrapped length nor a whole-chunk shortcut passes.
            long length = 4L * 1024 * 1024 * 1024 + 262_145;
            string source = Path.Join(sandbox, "big.bin");
            string root = Directory.CreateDirectory(Path.Join(sandbox, "root")).FullName;
            Faults.WriteLargeFile(source, length, seed: 4);
            await using var server = await FtpServerHost.StartAsync(["--root", root, "--port", "0"], logging => logging.SetMinimumLevel(LogLevel.Warning));
            using var session = await FtpSession.ConnectAsync(Faults.SessionOptions(server.EndPoint.Port, noProgress: TimeSpan.FromSeconds(60)));

            var upload = await session.UploadFileAsync(source, "/");
            string back = Path.Join(sandbox, "back.bin");
            var download = await session.DownloadFileAsync("/big.bin", back);

            Assert.Equal(length, upload.Length);
            Assert.Equal(length, new FileInfo(Path.Join(root, "big.bin")).Length);
            Assert.Equal(length, download.Length);
            Assert.Equal(length, new FileInfo(back).Length);
            // The upload's hash is of the local source, the download's of what arrived, checked against the server's trailer.
            Assert.Equal(upload.Hash, download.Hash);
            Assert.Equal(Tail(source), Tail(back));
        }
        finally
        {
            Directory.Delete(sandbox, recursive: true);
        }
    }

    [Theory]
    [InlineData("with spaces in it.txt")]
    [InlineData("naïve résumé.txt")]
    [InlineData("日本語 ファイル.csv")]
    public async Task UploadAndDownload_NameWithSpacesOrNonAscii_KeepsTheNameAndTheDuplicateRule(string name)
    {
        string sandbox = Faults.NewSandbox("names");
        try
        {
            string root = Directory.CreateDirectory(Path.Join(sandbox, "root")).FullName;
            string source = Path.Join(sandbox, name);
            Faults.WriteRandomFile(source, 12_345, seed: name.Length);
            await using var server = await FtpServerHost.StartAsync(["--root", root, "--port", "0"], logging => logging.SetMinimumLevel(LogLevel.Warning));
            using var session = await FtpSession.ConnectAsync(Faults.SessionOptions(server.EndPoint.Port));

            var first = await session.UploadFileAsync(source, "/dir with space/");
            var second = await session.UploadFileAsync(source, "/dir with space/", conflict: PSSocketFtp.Protocol.ConflictMode.Rename);
            var listed = await session.ListAsync("/dir with space");
            string back = Path.Join(sandbox, "back " + name);
            await session.DownloadFileAsync(first.RemotePath, back);

            string stem = Path.GetFileNameWithoutExtension(name), extension = Path.GetExtension(name);
            Assert.Equal("/dir with space/" + name, first.RemotePath);
            Assert.Equal($"/dir with space/{stem}_1{extension}", second.RemotePath);
            Assert.Equal(new[] { name, $"{stem}_1{extension}" }.Order(StringComparer.Ordinal), listed.Select(i => i.Name).Order(StringComparer.Ordinal));
            Assert.Equal(File.ReadAllBytes(source), File.ReadAllBytes(back));
        }
        finally
        {
            Directory.Delete(sandbox, recursive: true);
        }
    }

    private static byte[] Tail(string path)
    {
        using var stream = File.OpenRead(path);
        var tail = new byte[1024 * 1024];
        stream.Position = stream.Length - tail.Length;
        stream.ReadExactly(tail);
        return tail;
    }
}
