using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Tests.Protocol.Messages;

public class EmptyMessageTests
{
    [Fact]
    public void ToWriter_ByeAsTheClientSendsIt_SameFrame()
    {
        // Client/FtpSession.cs DisconnectAsync: connection.SendAsync(FrameType.Bye, id).
        Wire.AssertSameFrame(FieldWriter.ForFrame(FrameType.Bye, 9), EmptyMessage.Bye, 9);
    }

    [Fact]
    public void ToWriter_PingAsTheClientSendsIt_SameFrame()
    {
        // Client/FtpSession.cs PingAsync.
        Wire.AssertSameFrame(FieldWriter.ForFrame(FrameType.Ping, 1), EmptyMessage.Ping, 1);
    }

    [Fact]
    public void ToWriter_OkAsTheServerAnswersByeDeleteAndAuth_SameFrame()
    {
        // Server/FtpSession.cs ServeAsync (BYE), DeleteAsync; FtpSession.Auth.cs AuthorizeAsync.
        Wire.AssertSameFrame(FieldWriter.ForFrame(FrameType.Ok, 5), EmptyMessage.Ok, 5);
    }

    [Fact]
    public void Equals_TheThreeKinds_TellThemApart()
    {
        Assert.Equal(3, new[] { EmptyMessage.Bye, EmptyMessage.Ping, EmptyMessage.Ok }.Distinct().Count());
    }
}
