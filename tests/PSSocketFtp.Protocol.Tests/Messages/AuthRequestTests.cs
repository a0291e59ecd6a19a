using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Protocol.Tests.Messages;

public class AuthRequestTests
{
    [Fact]
    public void ToWriter_AsTheClientBuildsIt_SameFrame()
    {
        // As Client/FtpConnection.cs OpenOnceAsync built it by hand before it used this type.
        var current = FieldWriter.ForFrame(FrameType.Auth, 1).Add(FieldTag.UserName, "alice").Add(FieldTag.Password, "s3cret");

        Wire.AssertSameFrame(current, new AuthRequest("alice", "s3cret"), 1);
    }

    [Fact]
    public void Read_Written_SameRequest()
    {
        var request = new AuthRequest("bob", "pw");

        Assert.Equal(request, AuthRequest.Read(Wire.Fields(request)));
    }

    [Fact]
    public void Read_NoFields_EmptyNameAndPassword()
    {
        Assert.Equal(new AuthRequest("", ""), AuthRequest.Read(FieldSet.Empty));
    }

    [Fact]
    public void Read_PasswordNotUtf8_MalformedFrame()
    {
        var fields = Wire.Fields(FieldWriter.ForFrame(FrameType.Auth, 1).Add(FieldTag.UserName, "a").Add(FieldTag.Password, new byte[] { 0xC3 }));

        Assert.Equal(FtpStatus.MalformedFrame, Wire.Refusal(() => AuthRequest.Read(fields)).Status);
    }

    [Fact]
    public void ToString_Always_LeavesThePasswordOut()
    {
        string text = new AuthRequest("alice", "hunter2").ToString();

        Assert.Contains("alice", text);
        Assert.DoesNotContain("hunter2", text);
    }
}
