using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server.Tests;

public class ClientTextTests
{
    [Theory]
    [InlineData("a\u001b[31m\r\n\t\0\u007fb", "a\\x1b[31m\\r\\n\\t\\0\\x7fb")]
    [InlineData("n\u0085x\u2028y\u2029z\u202ew\u200b", "n\\u0085x\\u2028y\\u2029z\\u202ew\\u200b")]
    [InlineData("tag\U000E0041", "tag\\U000e0041")]
    public void Escape_ControlFormatOrSeparatorCharacter_CStyleEscape(string text, string expected) =>
        Assert.Equal(expected, ClientText.Escape(text));

    [Theory]
    [InlineData("plain.txt")]
    [InlineData("Grüße/日本語/😀 a\\b 'q'")]
    public void Escape_PrintableTextOfAnyScript_Unchanged(string text) => Assert.Equal(text, ClientText.Escape(text));

    [Fact]
    public void Escape_LoneSurrogate_ShownAsItsCodeUnit() =>
        // Built here: a test case's data would be serialized, turning the lone half into U+FFFD.
        Assert.Equal("lone\\ud800half", ClientText.Escape("lone" + (char)0xD800 + "half"));

    [Fact]
    public void Escape_LongerThanAPath_CutWithEllipsis()
    {
        string escaped = ClientText.Escape(new string('x', ProtocolConstants.MaxPathBytes + 1));

        Assert.Equal(new string('x', ProtocolConstants.MaxPathBytes) + "…", escaped);
    }

    [Theory]
    [InlineData("", "/")]
    [InlineData("a//b/", "/a/b")]
    [InlineData("../x\n", "../x\\n")]
    public void OfPath_RootValidOrRefusedPath_ShownAsUsersSeeIt(string path, string expected) =>
        Assert.Equal(expected, ClientText.OfPath(path).ToString());
}
