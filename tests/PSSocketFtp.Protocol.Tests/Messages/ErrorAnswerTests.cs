using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Protocol.Tests.Messages;

public class ErrorAnswerTests
{
    [Theory]
    [InlineData("Not there.", "a/b")]
    [InlineData("Not there.", "")]
    [InlineData("Not there.", null)]
    [InlineData(null, "x")]
    [InlineData(null, null)]
    public void ToWriter_AsTheServerBuildsIt_SameFrame(string? message, string? path)
    {
        message ??= new string('m', 5000);
        path ??= new string('p', ProtocolConstants.MaxPathBytes + 1);

        Wire.AssertSameFrame(ServerErrorFrame(9, FtpStatus.NotFound, message, path), new ErrorAnswer(FtpStatus.NotFound, message, path), 9);
    }

    [Fact]
    public void ToWriter_AsTheFakeServerBuildsIt_SameFrame()
    {
        // Client.Tests/Support/FakeServer.cs FakeConnection.ErrorAsync.
        var current = FieldWriter.ForFrame(FrameType.Error, 2).Add(FieldTag.Status, (ushort)FtpStatus.AccessDenied).Add(FieldTag.Message, "Fake AccessDenied.");

        Wire.AssertSameFrame(current, new ErrorAnswer(FtpStatus.AccessDenied, "Fake AccessDenied."), 2);
    }

    [Fact]
    public void ToWriter_LongMessage_CutTo1024CharactersAndAnEllipsis()
    {
        var read = ErrorAnswer.Read(Wire.Fields(new ErrorAnswer(FtpStatus.InvalidPath, new string('m', 2000))));

        Assert.Equal(new string('m', ErrorAnswer.MaxMessageChars) + "…", read.Message);
    }

    [Fact]
    public void ToWriter_CutFallsInsideASurrogatePair_KeepsThePairWhole()
    {
        // A long path of emoji in an InvalidPath message: the cut at 1024 characters lands between the two halves of one.
        string message = new string('m', ErrorAnswer.MaxMessageChars - 1) + string.Concat(Enumerable.Repeat("😀", 10));

        var read = ErrorAnswer.Read(Wire.Fields(new ErrorAnswer(FtpStatus.InvalidPath, message)));

        Assert.Equal(new string('m', ErrorAnswer.MaxMessageChars - 1) + "…", read.Message);
    }

    [Fact]
    public void Read_Written_SameAnswer()
    {
        var error = new ErrorAnswer(FtpStatus.DirectoryNotEmpty, "Has content.", "d");

        Assert.Equal(error, ErrorAnswer.Read(Wire.Fields(error)));
    }

    [Fact]
    public void Read_NoFields_InternalErrorWithAMessageNamingIt()
    {
        Assert.Equal(new ErrorAnswer(FtpStatus.InternalError, "The server answered InternalError.", null), ErrorAnswer.Read(FieldSet.Empty));
    }

    [Fact]
    public void Read_StatusNotTwoBytes_MalformedFrame()
    {
        var fields = Wire.Fields(FieldWriter.ForFrame(FrameType.Error, 1).Add(FieldTag.Status, (byte)1));

        Assert.Equal(FtpStatus.MalformedFrame, Wire.Refusal(() => ErrorAnswer.Read(fields)).Status);
    }

    [Theory]
    [InlineData("a/b", "/a/b")]
    [InlineData(null, null)]
    public void ToException_AsTheClientReportsIt_StatusMessageAndDisplayPath(string? path, string? shown)
    {
        var e = new ErrorAnswer(FtpStatus.NotFound, "Gone.", path).ToException();

        Assert.Equal((FtpStatus.NotFound, "Gone.", shown), (e.Status, e.Message, e.RemotePath));
    }

    /// <summary>
    /// Server/FtpSession.cs ErrorFrame and SendErrorAsync (now Server/Session/FrameChannel.cs ErrorAnswerOf and SendErrorAsync),
    /// as they built an ERROR by hand before they used this type, for text that the server's
    /// ClientText.Escape keeps as it is (it escapes message and path first, so they reach ErrorAnswer escaped).
    /// </summary>
    private static FieldWriter ServerErrorFrame(uint stream, FtpStatus status, string message, string subject)
    {
        var frame = FieldWriter.ForFrame(FrameType.Error, stream)
            .Add(FieldTag.Status, (ushort)status)
            .Add(FieldTag.Message, message.Length > 1024 ? message.Substring(0, 1024) + "…" : message);
        if (System.Text.Encoding.UTF8.GetByteCount(subject) <= ProtocolConstants.MaxPathBytes)
        {
            frame.Add(FieldTag.Path, subject);
        }
        return frame;
    }
}
