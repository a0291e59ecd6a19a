using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Protocol.Tests.Messages;

public class EmptyMessageTests
{
    [Fact]
    public void ToWriter_ByeAsTheClientSendsIt_SameFrame()
    {
        // As Client/OperationRunner.cs DisconnectAsync (then FtpSession.cs DisconnectAsync) built it by hand,
        // connection.SendAsync(FrameType.Bye, id), before it used this type.
        Wire.AssertSameFrame(FieldWriter.ForFrame(FrameType.Bye, 9), EmptyMessage.Bye, 9);
    }

    [Fact]
    public void ToWriter_PingAsTheClientSendsIt_SameFrame()
    {
        // As Client/FtpSession.cs PingAsync built it by hand before it used this type.
        Wire.AssertSameFrame(FieldWriter.ForFrame(FrameType.Ping, 1), EmptyMessage.Ping, 1);
    }

    [Fact]
    public void ToWriter_OkAsTheServerAnswersByeDeleteAndAuth_SameFrame()
    {
        // As Server/Session/FtpConnectionSession.cs ServeAsync (BYE), Server/Session/Requests/FtpConnectionSession.Delete.cs DeleteAsync and
        // FtpConnectionSession.Auth.cs AuthorizeAsync built it by hand before they used this type.
        Wire.AssertSameFrame(FieldWriter.ForFrame(FrameType.Ok, 5), EmptyMessage.Ok, 5);
    }

    [Fact]
    public void Equals_TheThreeKinds_TellThemApart()
    {
        Assert.Equal(3, new[] { EmptyMessage.Bye, EmptyMessage.Ping, EmptyMessage.Ok }.Distinct().Count());
    }
}
