using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Protocol.Tests.Messages;

public class ReadyAnswerTests
{
    [Fact]
    public void ToWriter_UploadAsTheServerBuildsIt_SameFrame()
    {
        // As Server/Session/Requests/FtpConnectionSession.Upload.cs UploadAsync built it by hand before it used this type;
        // Client.Tests/Support/FakeServer.cs AcceptBodyAsync still builds it by hand.
        Wire.AssertSameFrame(FieldWriter.ForFrame(FrameType.Ready, 3).Add(FieldTag.Offset, 512L), new ReadyAnswer(512), 3);
    }

    [Fact]
    public void ToWriter_DownloadAsTheServerBuildsIt_SameFrame()
    {
        // As Server/Session/Requests/FtpConnectionSession.Download.cs DownloadAsync built it by hand before it used this type.
        var current = FieldWriter.ForFrame(FrameType.Ready, 3).Add(FieldTag.Offset, 0L).Add(FieldTag.Length, 100L).Add(FieldTag.LastWriteTime, 1_600_000_000_000L);

        Wire.AssertSameFrame(current, new ReadyAnswer(0, 100, 1_600_000_000_000), 3);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(10L)]
    public void ReadForUpload_OffsetWithinTheFile_Read(long offset)
    {
        Assert.Equal(new ReadyAnswer(offset), ReadyAnswer.ReadForUpload(Wire.Fields(new ReadyAnswer(offset)), 10));
    }

    [Fact]
    public void ReadForUpload_NoOffset_Zero()
    {
        Assert.Equal(0, ReadyAnswer.ReadForUpload(FieldSet.Empty, 10).Offset);
    }

    [Theory]
    [InlineData(11L)]
    [InlineData(-1L)]
    public void ReadForUpload_OffsetOutsideTheFile_MalformedFrameAsTheClientWordsIt(long offset)
    {
        var refusal = Wire.Refusal(() => ReadyAnswer.ReadForUpload(Wire.Fields(new ReadyAnswer(offset)), 10));

        Assert.Equal(FtpStatus.MalformedFrame, refusal.Status);
        Assert.Equal($"The server offered to resume at byte {offset} of a 10-byte upload.", refusal.Message);
    }

    [Fact]
    public void ReadForDownload_Written_SameAnswer()
    {
        var ready = new ReadyAnswer(5, 100, 1_600_000_000_000);

        Assert.Equal(ready, ReadyAnswer.ReadForDownload(Wire.Fields(ready), held: 5));
    }

    [Fact]
    public void ReadForDownload_NoLength_MalformedFrame()
    {
        Assert.Equal(FtpStatus.MalformedFrame, Wire.Refusal(() => ReadyAnswer.ReadForDownload(Wire.Fields(new ReadyAnswer(0)), 0)).Status);
    }

    [Theory]
    [InlineData(6L, 100L)]
    [InlineData(-1L, 100L)]
    [InlineData(5L, 4L)]
    [InlineData(0L, -1L)]
    public void ReadForDownload_OffsetNotAskedForOrPastTheEnd_MalformedFrameAsTheClientWordsIt(long offset, long length)
    {
        var refusal = Wire.Refusal(() => ReadyAnswer.ReadForDownload(Wire.Fields(new ReadyAnswer(offset, length, 0)), held: 5));

        Assert.Equal(FtpStatus.MalformedFrame, refusal.Status);
        Assert.Equal($"The server offered a download of {length} bytes from byte {offset}, where 5 were asked to be skipped.", refusal.Message);
    }
}
