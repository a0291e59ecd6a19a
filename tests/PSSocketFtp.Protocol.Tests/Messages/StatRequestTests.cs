using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Protocol.Tests.Messages;

public class StatRequestTests
{
    [Fact]
    public void ToWriter_AsTheClientBuildsIt_SameFrame()
    {
        // As Client/FtpSession.cs GetItemAsync built it by hand before it used this type.
        var current = FieldWriter.ForFrame(FrameType.Stat, 4).Add(FieldTag.Path, "a/b.txt");

        Wire.AssertSameFrame(current, new StatRequest("a/b.txt"), 4);
    }

    [Fact]
    public void Read_Written_SameRequest()
    {
        Assert.Equal(new StatRequest("a"), StatRequest.Read(Wire.Fields(new StatRequest("a"))));
    }

    [Fact]
    public void Read_NoPath_Root()
    {
        Assert.Equal("", StatRequest.Read(FieldSet.Empty).Path);
    }

    [Fact]
    public void Read_RecursiveNotABoolean_MalformedFrame()
    {
        // The server has always read Recursive on every path request.
        var fields = Wire.Fields(FieldWriter.ForFrame(FrameType.Stat, 1).Add(FieldTag.Path, "a").Add(FieldTag.Recursive, (byte)7));

        Assert.Equal(FtpStatus.MalformedFrame, Wire.Refusal(() => StatRequest.Read(fields)).Status);
    }
}
