using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;
using static PSSocketFtp.Server.Tests.ExchangeTests;

namespace PSSocketFtp.Server.Tests;

public class PathTests
{
    public static TheoryData<string> HostilePaths =>
    [
        "..",
        "/../x",
        "a/../../x",
        "..\\..\\x",
        "C:\\x",
        "C:/x",
        "a\0b",
        "．．/x",
        "x/．．/．．/y",
        "NUL",
        "trailing./x",
        ".psftp/partial",
        "/.PSFTP/x",
    ];

    [Theory]
    [MemberData(nameof(HostilePaths))]
    public async Task AnyRequest_HostilePath_InvalidPathAndNothingWritten(string path)
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();

        foreach (var request in new ControlMessage[] { new StatRequest(path), new ListRequest(path, true), new DeleteRequest(path, true), new DownloadRequest(path) })
        {
            var answer = await client.RequestAsync(request);
            Assert.True(answer.Type == FrameType.Error && answer.Status == FtpStatus.InvalidPath, $"{request.Type} {path}: {answer}");
        }
        var upload = await client.UploadAsync(path, "f.txt", "x"u8.ToArray());
        var uploadInto = await client.UploadAsync("", path, "x"u8.ToArray());

        Assert.Equal((FrameType.Error, FtpStatus.InvalidPath), (upload.Type, upload.Status));
        Assert.Equal((FrameType.Error, FtpStatus.InvalidPath), (uploadInto.Type, uploadInto.Status));
        Assert.Equal([server.Root], Directory.GetFileSystemEntries(server.Sandbox));
        Assert.Equal([Path.Join(server.Root, ".psftp")], Directory.GetFileSystemEntries(server.Root));
        Assert.Empty(Directory.GetFiles(server.PartialFolder));
        Assert.Equal(FrameType.Ok, (await client.RequestAsync(EmptyMessage.Ping)).Type);
    }

    [Fact]
    public async Task AnyRequest_SymlinkOutOfRoot_RefusedAndNotListed()
    {
        await using var server = await TestServer.StartAsync();
        string outside = Path.Join(server.Sandbox, "outside");
        Directory.CreateDirectory(outside);
        File.WriteAllText(Path.Join(outside, "secret.txt"), "secret");
        Directory.CreateSymbolicLink(server.FullPath("escape"), outside);
        File.CreateSymbolicLink(server.FullPath("secret-link.txt"), Path.Join(outside, "secret.txt"));
        using var client = await server.ConnectAsync();

        var stat = await client.RequestAsync(new StatRequest("escape/secret.txt"));
        var download = await client.RequestAsync(new DownloadRequest("secret-link.txt"));
        var upload = await client.UploadAsync("escape/", "planted.txt", "x"u8.ToArray());
        var listing = await ListAsync(client, "", recursive: true);

        Assert.Equal(FtpStatus.InvalidPath, stat.Status);
        Assert.Equal(FtpStatus.InvalidPath, download.Status);
        Assert.Equal(FtpStatus.InvalidPath, upload.Status);
        Assert.Empty(listing);
        Assert.Equal([Path.Join(outside, "secret.txt")], Directory.GetFiles(outside));
    }

    [Fact]
    public async Task AnyRequest_SymlinkInsideRoot_Followed()
    {
        await using var server = await TestServer.StartAsync();
        Directory.CreateDirectory(server.FullPath("real"));
        File.WriteAllText(server.FullPath("real/f.txt"), "inside");
        Directory.CreateSymbolicLink(server.FullPath("alias"), server.FullPath("real"));
        using var client = await server.ConnectAsync();

        var (_, body, _) = await client.DownloadAsync("alias/f.txt");

        Assert.Equal("inside"u8.ToArray(), body);
    }
}
