using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Protocol.Tests.Messages;

public class DeleteRequestTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ToWriter_AsTheClientBuildsIt_SameFrame(bool recursive)
    {
        // As Client/FtpSession.cs RemoveAsync built it by hand before it used this type.
        var current = FieldWriter.ForFrame(FrameType.Delete, 8).Add(FieldTag.Path, "old").Add(FieldTag.Recursive, recursive);

        Wire.AssertSameFrame(current, new DeleteRequest("old", recursive), 8);
    }

    [Fact]
    public void Read_Written_SameRequest()
    {
        var request = new DeleteRequest("d", Recursive: true);

        Assert.Equal(request, DeleteRequest.Read(Wire.Fields(request)));
    }

    [Fact]
    public void Read_RecursiveNotABoolean_MalformedFrame()
    {
        var fields = Wire.Fields(FieldWriter.ForFrame(FrameType.Delete, 1).Add(FieldTag.Path, "d").Add(FieldTag.Recursive, (byte)255));

        Assert.Equal(FtpStatus.MalformedFrame, Wire.Refusal(() => DeleteRequest.Read(fields)).Status);
    }
}
