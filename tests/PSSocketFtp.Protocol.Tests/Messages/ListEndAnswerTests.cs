using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Protocol.Tests.Messages;

public class ListEndAnswerTests
{
    [Fact]
    public void ToWriter_AsTheServerBuildsIt_SameFrame()
    {
        // As Server/Session/Requests/FtpConnectionSession.List.cs ListAsync built it by hand before it used this type.
        Wire.AssertSameFrame(FieldWriter.ForFrame(FrameType.Ok, 2).Add(FieldTag.Count, 4711L), new ListEndAnswer(4711), 2);
    }

    [Fact]
    public void Read_Written_SameAnswer()
    {
        Assert.Equal(new ListEndAnswer(0), ListEndAnswer.Read(Wire.Fields(new ListEndAnswer(0))));
    }

    [Fact]
    public void Read_NoCount_Null()
    {
        // The client never needed the count: a server that leaves it out is still understood.
        Assert.Null(ListEndAnswer.Read(FieldSet.Empty).Count);
    }
}
