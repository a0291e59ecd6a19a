using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Protocol.Tests.Messages;

public class DownloadRequestTests
{
    private static readonly DateTimeOffset Time = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);

    [Fact]
    public void ToWriter_AFreshDownloadAsTheClientBuildsIt_SameFrame()
    {
        // As Client/DownloadTransfer.cs TryAsync (then FtpSession.cs DownloadCoreAsync) built it by hand before it used this type, nothing held.
        var current = FieldWriter.ForFrame(FrameType.Download, 7).Add(FieldTag.Path, "f.bin").Add(FieldTag.HashAlgorithm, "XXH128");

        Wire.AssertSameFrame(current, new DownloadRequest("f.bin", FtpHashAlgorithm.XxHash128), 7);
    }

    [Fact]
    public void ToWriter_AResumeAsTheClientBuildsIt_SameFrame()
    {
        // As Client/DownloadTransfer.cs TryAsync (then FtpSession.cs DownloadCoreAsync) built it by hand before it used this type, held > 0.
        var current = FieldWriter.ForFrame(FrameType.Download, 7).Add(FieldTag.Path, "f.bin").Add(FieldTag.HashAlgorithm, "SHA256")
            .Add(FieldTag.Offset, 100L).Add(FieldTag.Length, 1000L).Add(FieldTag.LastWriteTime, 1_700_000_000_123L);

        Wire.AssertSameFrame(current, new DownloadRequest("f.bin", FtpHashAlgorithm.Sha256, 100, 1000, 1_700_000_000_123), 7);
    }

    [Fact]
    public void ToWriter_PathOnlyAsTheRawClientBuildsIt_SameFrame()
    {
        // Server.Tests/RawClient.cs RequestAsync(FrameType.Download, path).
        Wire.AssertSameFrame(FieldWriter.ForFrame(FrameType.Download, 1).Add(FieldTag.Path, "f"), new DownloadRequest("f"), 1);
    }

    [Fact]
    public void Read_Written_SameRequest()
    {
        var request = new DownloadRequest("f", FtpHashAlgorithm.Sha256, 5, 10, -3);

        Assert.Equal(request, DownloadRequest.Read(Wire.Fields(request)));
    }

    [Fact]
    public void Read_NegativeOffset_MalformedFrameAsTheServerWordsIt()
    {
        var fields = Wire.Fields(FieldWriter.ForFrame(FrameType.Download, 1).Add(FieldTag.Path, "f").Add(FieldTag.Offset, -1L));

        var refusal = Wire.Refusal(() => DownloadRequest.Read(fields));

        Assert.Equal(FtpStatus.MalformedFrame, refusal.Status);
        Assert.Equal("The client sent a DOWNLOAD at offset -1.", refusal.Message);
    }

    [Fact]
    public void Read_UnknownAlgorithmAndNegativeOffset_HashMismatchFirstAsTheServerChecks()
    {
        var fields = Wire.Fields(FieldWriter.ForFrame(FrameType.Download, 1).Add(FieldTag.Path, "f").Add(FieldTag.HashAlgorithm, "CRC").Add(FieldTag.Offset, -1L));

        var refusal = Wire.Refusal(() => DownloadRequest.Read(fields));

        Assert.Equal(FtpStatus.HashMismatch, refusal.Status);
        Assert.Equal("f", refusal.RemotePath);
    }

    [Fact]
    public void Read_OffsetNotEightBytes_MalformedFrame()
    {
        var fields = Wire.Fields(FieldWriter.ForFrame(FrameType.Download, 1).Add(FieldTag.Offset, (ushort)1));

        Assert.Equal(FtpStatus.MalformedFrame, Wire.Refusal(() => DownloadRequest.Read(fields)).Status);
    }

    [Theory]
    [InlineData(100L, 1000L, 1_700_000_000_123L, 100L)]
    [InlineData(1000L, 1000L, 1_700_000_000_123L, 1000L)]
    [InlineData(1001L, 1000L, 1_700_000_000_123L, 0L)]
    [InlineData(100L, 999L, 1_700_000_000_123L, 0L)]
    [InlineData(100L, 1000L, 1_700_000_000_124L, 0L)]
    [InlineData(100L, null, 1_700_000_000_123L, 0L)]
    [InlineData(100L, 1000L, null, 0L)]
    public void ResumeOffset_ClientsStartOfTheFile_OffsetOnlyWhenStillTheSameFile(long offset, long? length, long? time, long expected)
    {
        var file = new RemoteEntry("f", ItemKind.File, 1000, Time);

        Assert.Equal(expected, new DownloadRequest("f", null, offset, length, time).ResumeOffset(file));
    }
}
