using System.Text;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server.Tests;

/// <summary>The duplicate-name rule at the protocol's limits: a name or path that is full already still gets its <c>_N</c>.</summary>
public class DuplicateNameTests
{
    /// <summary>Names of exactly 255 UTF-8 bytes (or near it), and the name the second upload must get.</summary>
    public static TheoryData<string, string, string> FullNames => new()
    {
        { "ASCII", new string('n', 251) + ".txt", new string('n', 249) + "_1.txt" },
        // Two bytes a character: the stem loses a whole "é", never half of one.
        { "two-byte characters", string.Concat(Enumerable.Repeat("é", 125)) + "a.txt", string.Concat(Enumerable.Repeat("é", 124)) + "_1.txt" },
        // Four bytes and two UTF-16 chars a character: a surrogate pair stays whole.
        { "surrogate pairs", "abc" + string.Concat(Enumerable.Repeat("😀", 62)) + ".bin", "abc" + string.Concat(Enumerable.Repeat("😀", 61)) + "_1.bin" },
        // A letter and its combining accent are one character to a reader: dropped together.
        { "combining accents", "x" + string.Concat(Enumerable.Repeat("e\u0301", 83)) + ".txt", "x" + string.Concat(Enumerable.Repeat("e\u0301", 82)) + "_1.txt" },
        { "no extension", new string('n', 255), new string('n', 253) + "_1" },
        // An "extension" that leaves no room for the counter is not kept as one.
        { "extension fills the name", "a." + new string('e', 253), "a." + new string('e', 251) + "_1" },
    };

    [Theory]
    [MemberData(nameof(FullNames))]
    public async Task Upload_FullLengthNameTwice_SecondStoredUnderShortenedName(string what, string name, string expected)
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();
        Assert.True(Encoding.UTF8.GetByteCount(name) <= ProtocolConstants.MaxNameBytes, what);

        var first = await client.UploadAsync("", name, "first"u8.ToArray());
        var second = await client.UploadAsync("", name, "second"u8.ToArray());

        Assert.Equal((FrameType.Ok, name), (first.Type, first.Fields.TryGetString(FieldTag.Path)));
        Assert.True(second.Type == FrameType.Ok, $"{what}: {second}");
        Assert.Equal((expected, true), (second.Fields.GetString(FieldTag.Path), second.Fields.GetBoolean(FieldTag.Renamed)));
        Assert.Equal("second", File.ReadAllText(server.FullPath(expected)));
    }

    [Fact]
    public async Task Upload_FullLengthPathTwice_SecondFitsThePathLimit()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();
        // 16 folders of 250 bytes and their separators take 4016 bytes; an 80-byte name fills the path to 4096.
        string folder = DeepFolder(4015);
        string name = new string('n', 76) + ".txt";
        Assert.Equal(ProtocolConstants.MaxPathBytes, Encoding.UTF8.GetByteCount(folder + "/" + name));

        try
        {
            var first = await client.UploadAsync(folder + "/", name, "first"u8.ToArray());
            var second = await client.UploadAsync(folder + "/", name, "second"u8.ToArray());

            Assert.True(first.Type == FrameType.Ok, first.ToString());
            Assert.True(second.Type == FrameType.Ok, second.ToString());
            Assert.Equal(folder + "/" + new string('n', 74) + "_1.txt", second.Fields.GetString(FieldTag.Path));
        }
        finally
        {
            // The server works below the root through folder handles; a path this long on the disk is more than .NET's
            // recursive delete can take, so the tree is made shallower first.
            Directory.Move(server.FullPath(folder.Split('/')[0]), server.FullPath("short"));
        }
    }

    [Theory]
    // The real path of a folder this deep passes the kernel's PATH_MAX under any root, so these are not uploaded for real.
    [InlineData(4093, "n", 1, "_1")]
    [InlineData(4085, "name.txt", 12, "nam_12.txt")]
    // No room for the extension beside the counter: the whole name is the stem.
    [InlineData(4090, "name.txt", 1, "nam_1")]
    public void DuplicateName_PathNearLimit_StemShortenedToFit(int folderBytes, string name, int n, string expected)
    {
        string folder = DeepFolder(folderBytes);

        string duplicate = LocalFolderStore.DuplicateName(folder + "/" + name, n);

        Assert.Equal(folder + "/" + expected, duplicate);
        Assert.Equal(ProtocolConstants.MaxPathBytes, Encoding.UTF8.GetByteCount(duplicate));
    }

    [Fact]
    public void DuplicateName_PathLeavesNoRoomForCounter_AlreadyExistsSaysSo()
    {
        // With a one-byte name the path is 4096 bytes; "_1" alone is a byte too long.
        string target = DeepFolder(4094) + "/n";

        var error = Assert.Throws<FtpException>(() => LocalFolderStore.DuplicateName(target, 1));

        Assert.Equal(FtpStatus.AlreadyExists, error.Status);
        Assert.Contains("no room for another name", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Folders of up to 250 bytes, <paramref name="bytes"/> in all with their separators.</summary>
    private static string DeepFolder(int bytes)
    {
        var segments = new List<string>();
        for (int left = bytes; left > 0; left -= segments[^1].Length + (segments.Count > 1 ? 1 : 0))
        {
            segments.Add(new string((char)('a' + segments.Count), Math.Min(250, left - (segments.Count > 0 ? 1 : 0))));
        }
        return string.Join("/", segments);
    }
}
