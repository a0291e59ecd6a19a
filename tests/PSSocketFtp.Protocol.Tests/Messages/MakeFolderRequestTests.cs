using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Protocol.Tests.Messages;

public class MakeFolderRequestTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ToWriter_PathAndExistingOk_FieldsOfProtocolTable(bool existingOk)
    {
        // docs/protocol.md §3: MKDIR 0x0A carries Path (0x01) and ExistingOk (0x14).
        var expected = FieldWriter.ForFrame((FrameType)0x0A, 3).Add((FieldTag)0x01, "a/b").Add((FieldTag)0x14, existingOk);

        Wire.AssertSameFrame(expected, new MakeFolderRequest("a/b", existingOk), 3);
    }

    [Fact]
    public void Read_Written_SameRequest()
    {
        var request = new MakeFolderRequest("a/b", ExistingOk: true);

        Assert.Equal(request, MakeFolderRequest.Read(Wire.Fields(request)));
    }

    [Fact]
    public void Read_NoFields_RootAndExistingRefused()
    {
        Assert.Equal(new MakeFolderRequest("", ExistingOk: false), MakeFolderRequest.Read(FieldSet.Empty));
    }

    [Fact]
    public void Read_ExistingOkNotABoolean_MalformedFrame()
    {
        var fields = Wire.Fields(FieldWriter.ForFrame(FrameType.MakeFolder, 1).Add(FieldTag.Path, "a").Add(FieldTag.ExistingOk, (byte)2));

        Assert.Equal(FtpStatus.MalformedFrame, Wire.Refusal(() => MakeFolderRequest.Read(fields)).Status);
    }
}
