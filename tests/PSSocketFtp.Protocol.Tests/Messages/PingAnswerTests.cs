using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Protocol.Tests.Messages;

public class PingAnswerTests
{
    [Fact]
    public void ToWriter_AsTheServerBuildsIt_SameFrame()
    {
        // As Server/Session/FtpConnectionSession.cs ServeAsync (PING) built it by hand before it used this type;
        // Client.Tests/Support/FakeServer.cs AnswerDefaultAsync still builds it by hand.
        var current = FieldWriter.ForFrame(FrameType.Ok, 1).Add(FieldTag.Software, "PSSocketFtp.Server/0.1.0");

        Wire.AssertSameFrame(current, new PingAnswer("PSSocketFtp.Server/0.1.0"), 1);
    }

    [Fact]
    public void Read_Written_SameAnswer()
    {
        Assert.Equal(new PingAnswer("FakeServer/1.0"), PingAnswer.Read(Wire.Fields(new PingAnswer("FakeServer/1.0"))));
    }

    [Fact]
    public void Read_NoSoftware_Null()
    {
        Assert.Null(PingAnswer.Read(FieldSet.Empty).Software);
    }
}
