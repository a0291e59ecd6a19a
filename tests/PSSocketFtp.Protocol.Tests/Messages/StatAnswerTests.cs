using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Protocol.Tests.Messages;

public class StatAnswerTests
{
    private static readonly RemoteEntry Entry = new("a/b", ItemKind.Directory, 0, DateTimeOffset.FromUnixTimeMilliseconds(1_600_000_000_000));

    [Fact]
    public void ToWriter_AsTheServerBuildsIt_SameFrame()
    {
        // As Server/Session/Requests/FtpConnectionSession.Stat.cs StatAsync built it by hand before it used this type.
        Wire.AssertSameFrame(Entry.WriteTo(FieldWriter.ForFrame(FrameType.Ok, 3)), new StatAnswer(Entry), 3);
    }

    [Fact]
    public void Read_Written_SameAnswer()
    {
        Assert.Equal(new StatAnswer(Entry), StatAnswer.Read(Wire.Fields(new StatAnswer(Entry))));
    }

    [Fact]
    public void Read_NoKind_MalformedFrame()
    {
        var fields = Wire.Fields(FieldWriter.ForFrame(FrameType.Ok, 1).Add(FieldTag.Path, "a").Add(FieldTag.Length, 1L));

        Assert.Equal(FtpStatus.MalformedFrame, Wire.Refusal(() => StatAnswer.Read(fields)).Status);
    }
}
