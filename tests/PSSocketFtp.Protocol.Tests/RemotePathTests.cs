
namespace PSSocketFtp.Protocol.Tests;

public class RemotePathTests
{
    public static TheoryData<string?, string> GoodPaths => new()
    {
        { null, "" },
        { "", "" },
        { "/", "" },
        { ".", "" },
        { "/./", "" },
        { "a", "a" },
        { "/a/b/", "a/b" },
        { "a\\b", "a/b" },
        { "\\a\\b\\", "a/b" },
        { "./a//b", "a/b" },
        { "a/./b", "a/b" },
        { "a/.psftp", "a/.psftp" },
        { ".psftpx/y", ".psftpx/y" },
        { "..a/b..c", "..a/b..c" },
        { "CONSOLE/COM10.txt", "CONSOLE/COM10.txt" },
        { "ünïcødé/☃", "ünïcødé/☃" },
        { new string('a', 255), new string('a', 255) },
        { string.Join("/", Enumerable.Repeat("d", 64)), string.Join("/", Enumerable.Repeat("d", 64)) },
    };

    public static TheoryData<string> HostilePaths => new()
    {
        "..",
        "../x",
        "a/../b",
        "/../x",
        "a/..",
        "a\\..\\..\\b",
        "C:\\x",
        "c:",
        "file.txt:stream",
        "a\u0000b",
        "a\u0001",
        "tab\there",
        "line\nbreak",
        "a\u001F",
        "del\u007F",
        "．．",
        "a/．．/b",
        "‥",
        "a／b",
        "a＼b",
        "name.",
        "dir./x",
        "name ",
        " ",
        "CON",
        "con",
        "nul.txt",
        "a/COM1.log",
        "LPT9",
        "aux.tar.gz",
        "COM¹",
        new string('a', 256),
        new string('é', 128), // 256 UTF-8 bytes in 128 chars
        string.Join("/", Enumerable.Repeat(new string('a', 255), 17)),
        string.Join("/", Enumerable.Repeat("d", 65)),
        ".psftp",
        ".psftp/x",
        "/.psftp/x",
        "./.PSFTP/x",
        "*.txt",
        "a?b",
        "a<b",
        "a>b",
        "a|b",
        "a\"b",
    };

    [Theory]
    [MemberData(nameof(GoodPaths))]
    public void Normalize_GoodPath_ReturnsCanonicalForm(string? path, string expected)
    {
        Assert.Equal(expected, RemotePath.Normalize(path));
    }

    [Theory]
    [MemberData(nameof(HostilePaths))]
    public void Normalize_HostilePath_ThrowsInvalidPath(string path)
    {
        var ex = Assert.Throws<FtpException>(() => RemotePath.Normalize(path));

        Assert.Equal(FtpStatus.InvalidPath, ex.Status);
        Assert.Equal(path, ex.RemotePath);
    }

    [Fact]
    public void Normalize_LoneSurrogate_ThrowsInvalidPath()
    {
        // Not theory data: xunit's serialization of test cases would replace the lone surrogate with U+FFFD.
        foreach (string path in new[] { "a\uD800b", "\uDC00", "x/\uD83D", "\uDE00\uD83D" })
        {
            Assert.Equal(FtpStatus.InvalidPath, Assert.Throws<FtpException>(() => RemotePath.Normalize(path)).Status);
        }
        Assert.Equal("a\uD83D\uDE00b", RemotePath.Normalize("a\uD83D\uDE00b")); // a proper pair is fine
    }

    [Fact]
    public void Normalize_InvalidPathMessage_ShowsControlCharactersEscaped()
    {
        var ex = Assert.Throws<FtpException>(() => RemotePath.Normalize("a\u0000b"));

        Assert.Contains("a\\u0000b", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("\u0000", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Normalize_PathJustUnderByteLimit_IsAccepted()
    {
        // 16 names of 255 bytes plus 15 separators: 4,095 bytes.
        string path = string.Join("/", Enumerable.Repeat(new string('a', 255), 16));

        Assert.Equal(path, RemotePath.Normalize(path));
    }

    [Theory]
    [InlineData("", "a", "a")]
    [InlineData("x/y", "a", "x/y/a")]
    public void Combine_FolderAndName_JoinsWithSlash(string folder, string name, string expected)
    {
        Assert.Equal(expected, RemotePath.Combine(folder, name));
    }

    [Theory]
    [InlineData("", "", "")]
    [InlineData("a", "", "a")]
    [InlineData("x/y/a.txt", "x/y", "a.txt")]
    public void GetParentAndGetName_NormalizedPath_SplitAtLastSlash(string path, string parent, string name)
    {
        Assert.Equal(parent, RemotePath.GetParent(path));
        Assert.Equal(name, RemotePath.GetName(path));
        Assert.Equal("/" + path, RemotePath.ToDisplay(path));
    }
}
