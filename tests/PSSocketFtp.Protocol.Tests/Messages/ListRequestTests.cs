using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Protocol.Tests.Messages;

public class ListRequestTests
{
    [Theory]
    [InlineData("", false)]
    [InlineData("a/b", true)]
    public void ToWriter_AsTheClientBuildsIt_SameFrame(string path, bool recursive)
    {
        // As Client/FtpSession.cs ListAsync built it by hand before it used this type.
        var current = FieldWriter.ForFrame(FrameType.List, 3).Add(FieldTag.Path, path).Add(FieldTag.Recursive, recursive);

        Wire.AssertSameFrame(current, new ListRequest(path, recursive), 3);
    }

    [Fact]
    public void Read_Written_SameRequest()
    {
        var request = new ListRequest("x/y", Recursive: true);

        Assert.Equal(request, ListRequest.Read(Wire.Fields(request)));
    }

    [Fact]
    public void Read_NoFields_RootNotRecursive()
    {
        Assert.Equal(new ListRequest("", false), ListRequest.Read(FieldSet.Empty));
    }

    [Fact]
    public void Read_RecursiveNotABoolean_MalformedFrame()
    {
        var fields = Wire.Fields(FieldWriter.ForFrame(FrameType.List, 1).Add(FieldTag.Recursive, (byte)2));

        Assert.Equal(FtpStatus.MalformedFrame, Wire.Refusal(() => ListRequest.Read(fields)).Status);
    }
}
