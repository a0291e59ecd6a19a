using System.Globalization;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server.Tests;

/// <summary>Strings a client chose reach the log and ERROR frames escaped: no line a client writes can end a log line or move a terminal.</summary>
public sealed class LogInjectionTests : IDisposable
{
    // A screen clear, a line break and a forged line, NUL, TAB, DEL: none of them allowed in a name.
    private const string Refused = "a\u001b[2J\r\ncrit: forged\u0000\tb\u007f";

    // Allowed in a name, yet a line break (NEL, U+2028) or a reversal of what follows (U+202E) on a terminal or in a log viewer.
    private const string Allowed = "n\u0085crit forged\u2028x\u202eb";

    private readonly string _folder = Directory.CreateTempSubdirectory("psftp-log-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Upload_PathAndNameWithControlCharacters_LogAndErrorsCarryNoneRaw()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();
        var errors = new List<Frame>();

        errors.Add(await client.UploadAsync(Refused + "/", "f.bin", new byte[1]));
        errors.Add(await client.UploadAsync("", Refused, new byte[1]));
        Assert.Equal(FrameType.Ok, (await client.UploadAsync("", Allowed, new byte[3])).Type);
        errors.Add(await client.UploadAsync("", Allowed, new byte[3], ConflictMode.Fail));

        Assert.Equal([FtpStatus.InvalidPath, FtpStatus.InvalidPath, FtpStatus.AlreadyExists], errors.Select(e => e.Status));
        await server.Log.WaitForAsync(m => m.Contains("AlreadyExists"));
        AssertNoneRaw(server.Log.Messages.Concat(errors.SelectMany(Texts)));
        Assert.Contains(server.Log.Messages, m => m.Contains("refused an upload to /n\\u0085crit forged\\u2028x\\u202eb (3 bytes)"));
        Assert.Contains(server.Log.Messages, m => m.Contains("refused an upload to a\\x1b[2J\\r\\ncrit: forged\\0\\tb\\x7f/ (1 bytes)"));
    }

    [Fact]
    public async Task StatDeleteDownloadHash_PathWithControlCharacters_LogAndErrorsCarryNoneRaw()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();
        var errors = new List<Frame>();

        foreach (var request in new Func<string, ControlMessage>[] { p => new StatRequest(p), p => new DeleteRequest(p), p => new DownloadRequest(p), p => new HashRequest(p), p => new ListRequest(p) })
        {
            errors.Add(await client.RequestAsync(request(Refused)));
            errors.Add(await client.RequestAsync(request(Allowed)));
        }

        Assert.All(errors, e => Assert.Equal(FrameType.Error, e.Type));
        await server.Log.WaitForAsync(m => server.Log.Messages.Count(x => x.Contains("answered")) == errors.Count);
        AssertNoneRaw(server.Log.Messages.Concat(errors.SelectMany(Texts)));
    }

    [Fact]
    public async Task Auth_UserNameWithControlCharacters_LogCarriesNoneRaw()
    {
        string users = Path.Join(_folder, "users.txt");
        UserStore.AddOrReplace(users, "alice", "s3cret");
        await using var server = await TestServer.StartAsync("--users", users);
        using var client = await server.ConnectAsync();

        Assert.Equal(FtpStatus.Unauthorized, (await client.AuthAsync(Refused + Allowed, "x")).Status);

        await server.Log.WaitForAsync(m => m.Contains("failed to log in as"));
        AssertNoneRaw(server.Log.Messages);
    }

    [Fact]
    public async Task Upload_RefusedIntoTheRoot_LogNamesTheRootAsSlash()
    {
        await using var server = await TestServer.StartAsync("--PSSocketFtp:MaxFileSize", "5");
        using var client = await server.ConnectAsync();

        Assert.Equal(FtpStatus.FileTooLarge, (await client.UploadAsync("", "big.bin", new byte[6])).Status);

        await server.Log.WaitForAsync(m => m.Contains("refused an upload to / (6 bytes)"));
    }

    private static IEnumerable<string> Texts(Frame error) =>
        new[] { error.Fields.TryGetString(FieldTag.Message), error.Fields.TryGetString(FieldTag.Path) }.OfType<string>();

    /// <summary>Fails on any control, format or line-separating character: what a terminal or log viewer acts on instead of showing.</summary>
    private static void AssertNoneRaw(IEnumerable<string> texts)
    {
        foreach (string text in texts)
        {
            Assert.False(
                text.Any(c => CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator),
                $"Raw control character in: {string.Concat(text.Select(c => c < 0x20 || c > 0x7E ? $"<{(int)c:x}>" : c.ToString()))}");
        }
    }
}
