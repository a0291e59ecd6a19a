using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server.Tests;

/// <summary>MKDIR: a folder and its missing parents (the jail's hostile paths and links are in <see cref="JailTests"/>).</summary>
public class MakeFolderTests
{
    [Fact]
    public async Task MakeFolder_MissingParents_CreatesAllAndAnswersEntry()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();

        var answer = await client.RequestAsync(new MakeFolderRequest("\\a//b/c"));

        Assert.Equal(FrameType.Ok, answer.Type);
        var entry = StatAnswer.Read(answer.Fields).Entry;
        Assert.Equal(("a/b/c", ItemKind.Directory, 0L), (entry.Path, entry.Kind, entry.Length));
        Assert.True(Directory.Exists(server.FullPath("a/b/c")));
    }

    [Fact]
    public async Task MakeFolder_ExistingFolder_AlreadyExistsAndContentKept()
    {
        await using var server = await TestServer.StartAsync();
        Directory.CreateDirectory(server.FullPath("kept"));
        File.WriteAllText(server.FullPath("kept/x.txt"), "x");
        using var client = await server.ConnectAsync();

        var answer = await client.RequestAsync(new MakeFolderRequest("kept"));

        Assert.Equal((FrameType.Error, FtpStatus.AlreadyExists), (answer.Type, answer.Status));
        Assert.Equal("kept", answer.Fields.GetString(FieldTag.Path));
        Assert.True(File.Exists(server.FullPath("kept/x.txt")));
        Assert.Equal(FrameType.Ok, (await client.RequestAsync(EmptyMessage.Ping)).Type);
    }

    [Fact]
    public async Task MakeFolder_ManyClientsOneNameAtOnce_ExactlyOneMakesItTheOthersHearAlreadyExists()
    {
        await using var server = await TestServer.StartAsync();
        var clients = new List<RawClient>();
        for (int i = 0; i < 8; i++)
        {
            clients.Add(await server.ConnectAsync());
        }
        try
        {
            for (int round = 0; round < 200; round++)
            {
                var answers = await Task.WhenAll(clients.Select(c => c.RequestAsync(new MakeFolderRequest($"race/{round}"))));

                Assert.Single(answers, a => a.Type == FrameType.Ok);
                Assert.All(answers.Where(a => a.Type != FrameType.Ok), a => Assert.Equal(FtpStatus.AlreadyExists, a.Status));
            }
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task MakeFolder_ExistingFolderExistingOk_AnswersItsEntry()
    {
        await using var server = await TestServer.StartAsync();
        Directory.CreateDirectory(server.FullPath("kept"));
        File.WriteAllText(server.FullPath("kept/x.txt"), "x");
        using var client = await server.ConnectAsync();

        var answer = await client.RequestAsync(new MakeFolderRequest("kept", ExistingOk: true));

        Assert.Equal(FrameType.Ok, answer.Type);
        var entry = StatAnswer.Read(answer.Fields).Entry;
        Assert.Equal(("kept", ItemKind.Directory), (entry.Path, entry.Kind));
        Assert.True(File.Exists(server.FullPath("kept/x.txt")));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task MakeFolder_FileThere_AlreadyExistsAndFileKept(bool existingOk)
    {
        await using var server = await TestServer.StartAsync();
        File.WriteAllText(server.FullPath("taken"), "x");
        using var client = await server.ConnectAsync();

        var answer = await client.RequestAsync(new MakeFolderRequest("taken", existingOk));

        Assert.Equal((FrameType.Error, FtpStatus.AlreadyExists), (answer.Type, answer.Status));
        Assert.Equal("x", File.ReadAllText(server.FullPath("taken")));
    }

    [Fact]
    public async Task MakeFolder_ParentIsFile_NotADirectoryNamingTheParent()
    {
        await using var server = await TestServer.StartAsync();
        Directory.CreateDirectory(server.FullPath("a"));
        File.WriteAllText(server.FullPath("a/file"), "x");
        using var client = await server.ConnectAsync();

        var answer = await client.RequestAsync(new MakeFolderRequest("a/file/b/c", ExistingOk: true));

        Assert.Equal((FrameType.Error, FtpStatus.NotADirectory), (answer.Type, answer.Status));
        Assert.Equal("a/file", answer.Fields.GetString(FieldTag.Path));
        Assert.Equal("x", File.ReadAllText(server.FullPath("a/file")));
    }

    [Theory]
    [InlineData(false, FrameType.Error, FtpStatus.AlreadyExists)]
    [InlineData(true, FrameType.Ok, FtpStatus.Ok)]
    public async Task MakeFolder_Root_ExistsAlready(bool existingOk, FrameType type, FtpStatus status)
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();

        var answer = await client.RequestAsync(new MakeFolderRequest("/", existingOk));

        Assert.Equal((type, status), (answer.Type, answer.Status));
    }
}
