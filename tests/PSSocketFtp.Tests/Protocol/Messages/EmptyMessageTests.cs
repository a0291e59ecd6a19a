using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Tests.Protocol.Messages;

/// <summary>The messages without fields: BYE, PING and the empty OK.</summary>
public class EmptyMessageTests
{
    [Fact]
    public void ToWriter_ByeAsTheClientSendsIt_SameFrame()
    {
        // Client/FtpSession.cs DisconnectAsync: connection.SendAsync(FrameType.Bye, id).
        Wire.AssertSameFrame(FieldWriter.ForFrame(FrameType.Bye, 9), ByeRequest.Instance, 9);
    }

    [Fact]
    public void ToWriter_PingAsTheClientSendsIt_SameFrame()
    {
        // Client/FtpSession.cs PingAsync.
        Wire.AssertSameFrame(FieldWriter.ForFrame(FrameType.Ping, 1), PingRequest.Instance, 1);
    }

    [Fact]
    public void ToWriter_OkAsTheServerAnswersByeDeleteAndAuth_SameFrame()
    {
        // Server/FtpSession.cs ServeAsync (BYE), DeleteAsync; FtpSession.Auth.cs AuthorizeAsync.
        Wire.AssertSameFrame(FieldWriter.ForFrame(FrameType.Ok, 5), OkAnswer.Instance, 5);
    }

    [Fact]
    public void Read_UnknownFields_Skipped()
    {
        var fields = Wire.Fields(FieldWriter.ForFrame(FrameType.Ok, 1).Add((FieldTag)0x7F, "later"));

        Assert.Same(OkAnswer.Instance, OkAnswer.Read(fields));
        Assert.Same(ByeRequest.Instance, ByeRequest.Read(fields));
        Assert.Same(PingRequest.Instance, PingRequest.Read(fields));
    }
}
