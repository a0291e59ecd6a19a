using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server.Tests;

public class ExchangeTests
{
    [Fact]
    public async Task Ping_Connected_AnswersOkWithSoftware()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();

        var answer = await client.RequestAsync(EmptyMessage.Ping);

        Assert.Equal(FrameType.Ok, answer.Type);
        Assert.StartsWith("PSSocketFtp.Server/", answer.Fields.GetString(FieldTag.Software));
    }

    [Fact]
    public async Task Bye_Connected_AnswersOkAndCloses()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();

        var answer = await client.RequestAsync(EmptyMessage.Bye);

        Assert.Equal(FrameType.Ok, answer.Type);
        await client.ExpectClosedAsync();
    }

    [Fact]
    public async Task Stat_File_AnswersKindLengthAndTime()
    {
        await using var server = await TestServer.StartAsync();
        Directory.CreateDirectory(server.FullPath("docs"));
        File.WriteAllBytes(server.FullPath("docs/a.txt"), new byte[123]);
        var written = File.GetLastWriteTimeUtc(server.FullPath("docs/a.txt"));
        using var client = await server.ConnectAsync();

        var entry = RemoteEntry.ReadFrom((await client.RequestAsync(new StatRequest("\\docs//a.txt"))).Fields);

        Assert.Equal(new RemoteEntry("docs/a.txt", ItemKind.File, 123, DateTimeOffset.FromUnixTimeMilliseconds(new DateTimeOffset(written).ToUnixTimeMilliseconds())), entry);
    }

    [Fact]
    public async Task Stat_Root_AnswersFolder()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();

        var entry = RemoteEntry.ReadFrom((await client.RequestAsync(new StatRequest("/"))).Fields);

        Assert.Equal((string.Empty, ItemKind.Directory), (entry.Path, entry.Kind));
    }

    [Fact]
    public async Task Stat_Missing_NotFoundAndConnectionContinues()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();

        var answer = await client.RequestAsync(new StatRequest("nope.txt"));

        Assert.Equal((FrameType.Error, FtpStatus.NotFound), (answer.Type, answer.Status));
        Assert.Equal("nope.txt", answer.Fields.GetString(FieldTag.Path));
        Assert.Equal(FrameType.Ok, (await client.RequestAsync(EmptyMessage.Ping)).Type);
    }

    [Fact]
    public async Task List_Folder_ListsChildrenOnly()
    {
        await using var server = await TestServer.StartAsync();
        Directory.CreateDirectory(server.FullPath("d/sub"));
        File.WriteAllText(server.FullPath("d/b.txt"), "bb");
        File.WriteAllText(server.FullPath("d/sub/c.txt"), "c");
        using var client = await server.ConnectAsync();

        var entries = await ListAsync(client, "d", recursive: false);

        Assert.Equal(["d/b.txt", "d/sub"], entries.Select(e => e.Path));
        Assert.Equal([ItemKind.File, ItemKind.Directory], entries.Select(e => e.Kind));
        Assert.Equal(2, entries[0].Length);
    }

    [Fact]
    public async Task List_Recursive_FoldersBeforeTheirContent()
    {
        await using var server = await TestServer.StartAsync();
        Directory.CreateDirectory(server.FullPath("a/b"));
        File.WriteAllText(server.FullPath("a/b/c.txt"), "c");
        File.WriteAllText(server.FullPath("z.txt"), "z");
        using var client = await server.ConnectAsync();

        var entries = await ListAsync(client, "", recursive: true);

        Assert.Equal(["a", "a/b", "a/b/c.txt", "z.txt"], entries.Select(e => e.Path));
    }

    [Fact]
    public async Task List_File_ListsItself()
    {
        await using var server = await TestServer.StartAsync();
        File.WriteAllText(server.FullPath("one.txt"), "1");
        using var client = await server.ConnectAsync();

        var entries = await ListAsync(client, "/one.txt", recursive: false);

        Assert.Equal("one.txt", Assert.Single(entries).Path);
    }

    [Fact]
    public async Task List_RootWithPartialUpload_HidesServerFolder()
    {
        await using var server = await TestServer.StartAsync();
        File.WriteAllText(Path.Join(server.PartialFolder, "x.part"), "partial");
        using var client = await server.ConnectAsync();

        var entries = await ListAsync(client, "", recursive: true);

        Assert.Empty(entries);
    }

    [Fact]
    public async Task List_ManyEntries_BatchedUnderControlLimit()
    {
        await using var server = await TestServer.StartAsync();
        string longName = new('n', 200);
        for (int i = 0; i < 800; i++)
        {
            File.WriteAllText(server.FullPath($"{longName}{i:D4}"), "");
        }
        using var client = await server.ConnectAsync();
        var answer = await client.RequestAsync(new ListRequest(""));
        int batches = 0, count = 0;
        while (answer.Type == FrameType.Entries)
        {
            Assert.True(answer.Payload.Length <= ProtocolConstants.MaxControlPayload);
            batches++;
            count += answer.Fields.GetNested(FieldTag.Entry).Count();
            answer = await client.ReadFrameAsync();
        }

        Assert.Equal(FrameType.Ok, answer.Type);
        Assert.Equal(800, count);
        Assert.Equal(800, answer.Fields.GetInt64(FieldTag.Count));
        Assert.True(batches > 1);
    }

    [Fact]
    public async Task List_Missing_NotFound()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();

        var answer = await client.RequestAsync(new ListRequest("missing"));

        Assert.Equal((FrameType.Error, FtpStatus.NotFound), (answer.Type, answer.Status));
    }

    [Fact]
    public async Task Delete_File_Removed()
    {
        await using var server = await TestServer.StartAsync();
        File.WriteAllText(server.FullPath("gone.txt"), "x");
        using var client = await server.ConnectAsync();

        var answer = await client.RequestAsync(new DeleteRequest("gone.txt"));

        Assert.Equal(FrameType.Ok, answer.Type);
        Assert.False(File.Exists(server.FullPath("gone.txt")));
    }

    [Fact]
    public async Task Delete_NonEmptyFolderWithoutRecursive_DirectoryNotEmpty()
    {
        await using var server = await TestServer.StartAsync();
        Directory.CreateDirectory(server.FullPath("full"));
        File.WriteAllText(server.FullPath("full/x.txt"), "x");
        using var client = await server.ConnectAsync();

        var answer = await client.RequestAsync(new DeleteRequest("full", false));

        Assert.Equal((FrameType.Error, FtpStatus.DirectoryNotEmpty), (answer.Type, answer.Status));
        Assert.True(File.Exists(server.FullPath("full/x.txt")));
    }

    [Fact]
    public async Task Delete_NonEmptyFolderRecursive_Removed()
    {
        await using var server = await TestServer.StartAsync();
        Directory.CreateDirectory(server.FullPath("full/deeper"));
        File.WriteAllText(server.FullPath("full/deeper/x.txt"), "x");
        using var client = await server.ConnectAsync();

        var answer = await client.RequestAsync(new DeleteRequest("full", true));

        Assert.Equal(FrameType.Ok, answer.Type);
        Assert.False(Directory.Exists(server.FullPath("full")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("./")]
    public async Task Delete_Root_InvalidPath(string root)
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();

        var answer = await client.RequestAsync(new DeleteRequest(root, true));

        Assert.Equal((FrameType.Error, FtpStatus.InvalidPath), (answer.Type, answer.Status));
        Assert.True(Directory.Exists(server.Root));
    }

    [Fact]
    public async Task Download_File_ReadyThenChunkedDataThenEnd()
    {
        await using var server = await TestServer.StartAsync();
        var content = RandomBytes(2 * ProtocolConstants.DataChunkSize + 1000);
        File.WriteAllBytes(server.FullPath("big.bin"), content);
        using var client = await server.ConnectAsync();

        var (ready, body, frames) = await client.DownloadAsync("big.bin");

        Assert.Equal(0, ready.Fields.GetInt64(FieldTag.Offset));
        Assert.Equal(new DateTimeOffset(File.GetLastWriteTimeUtc(server.FullPath("big.bin"))).ToUnixTimeMilliseconds(), ready.Fields.GetInt64(FieldTag.LastWriteTime));
        Assert.Equal(3, frames);
        Assert.Equal(content, body);
        Assert.Equal(FrameType.Ok, (await client.RequestAsync(EmptyMessage.Ping)).Type);
    }

    [Fact]
    public async Task Download_EmptyFile_ReadyThenEnd()
    {
        await using var server = await TestServer.StartAsync();
        File.WriteAllBytes(server.FullPath("empty"), []);
        using var client = await server.ConnectAsync();

        var (_, body, frames) = await client.DownloadAsync("empty");

        Assert.Equal((0, 0), (body.Length, frames));
    }

    [Fact]
    public async Task Download_Folder_IsADirectory()
    {
        await using var server = await TestServer.StartAsync();
        Directory.CreateDirectory(server.FullPath("folder"));
        using var client = await server.ConnectAsync();

        var answer = await client.RequestAsync(new DownloadRequest("folder"));

        Assert.Equal((FrameType.Error, FtpStatus.IsADirectory), (answer.Type, answer.Status));
    }

    [Fact]
    public async Task Download_Missing_NotFound()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();

        var answer = await client.RequestAsync(new DownloadRequest("missing.bin"));

        Assert.Equal((FrameType.Error, FtpStatus.NotFound), (answer.Type, answer.Status));
        Assert.DoesNotContain(server.Root, answer.Fields.GetString(FieldTag.Message));
    }

    internal static async Task<List<RemoteEntry>> ListAsync(RawClient client, string path, bool recursive)
    {
        var entries = new List<RemoteEntry>();
        var answer = await client.RequestAsync(new ListRequest(path, recursive));
        while (answer.Type == FrameType.Entries)
        {
            entries.AddRange(answer.Fields.GetNested(FieldTag.Entry).Select(RemoteEntry.ReadFrom));
            answer = await client.ReadFrameAsync();
        }
        Assert.True(answer.Type == FrameType.Ok, $"Expected OK, got {answer}.");
        Assert.Equal(entries.Count, answer.Fields.GetInt64(FieldTag.Count));
        return entries;
    }

    internal static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }
}
