using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Protocol.Tests.Messages;

public class RenameRequestTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ToWriter_PathTargetAndReplace_FieldsOfProtocolTable(bool replace)
    {
        // docs/protocol.md §3: RENAME 0x0B carries Path (0x01), Target (0x15) and Replace (0x16).
        var expected = FieldWriter.ForFrame((FrameType)0x0B, 3).Add((FieldTag)0x01, "a/b").Add((FieldTag)0x15, "c/d").Add((FieldTag)0x16, replace);

        Wire.AssertSameFrame(expected, new RenameRequest("a/b", "c/d", replace), 3);
    }

    [Fact]
    public void Read_Written_SameRequest()
    {
        var request = new RenameRequest("a/b", "c/d", Replace: true);

        Assert.Equal(request, RenameRequest.Read(Wire.Fields(request)));
    }

    [Fact]
    public void Read_NoFields_RootToRootWithoutReplace()
    {
        Assert.Equal(new RenameRequest("", "", Replace: false), RenameRequest.Read(FieldSet.Empty));
    }

    [Fact]
    public void Read_ReplaceNotABoolean_MalformedFrame()
    {
        var fields = Wire.Fields(FieldWriter.ForFrame(FrameType.Rename, 1).Add(FieldTag.Path, "a").Add(FieldTag.Target, "b").Add(FieldTag.Replace, (byte)2));

        Assert.Equal(FtpStatus.MalformedFrame, Wire.Refusal(() => RenameRequest.Read(fields)).Status);
    }
}
