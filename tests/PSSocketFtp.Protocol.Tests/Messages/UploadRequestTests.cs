using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Protocol.Tests.Messages;

public class UploadRequestTests
{
    [Theory]
    [InlineData(false, FtpHashAlgorithm.XxHash128)]
    [InlineData(true, FtpHashAlgorithm.Sha256)]
    public void ToWriter_AsTheClientBuildsIt_SameFrame(bool answerLost, FtpHashAlgorithm algorithm)
    {
        // As Client/UploadTransfer.cs TryAsync (then FtpSession.cs UploadCoreAsync) built it by hand before it used this type.
        var current = FieldWriter.ForFrame(FrameType.Upload, 6)
            .Add(FieldTag.Path, "in/")
            .Add(FieldTag.FileName, "a.txt")
            .Add(FieldTag.Length, 1234L)
            .Add(FieldTag.Conflict, (byte)ConflictMode.Fail)
            .Add(FieldTag.UploadId, "0123456789ABCDEF0123456789ABCDEF")
            .Add(FieldTag.HashAlgorithm, TransferHash.WireName(algorithm));
        if (answerLost)
        {
            current.Add(FieldTag.Retry, true);
        }

        var request = new UploadRequest("in/", "a.txt", 1234, ConflictMode.Fail, "0123456789ABCDEF0123456789ABCDEF", answerLost, algorithm);

        Wire.AssertSameFrame(current, request, 6);
    }

    [Fact]
    public void Read_Written_SameRequest()
    {
        var request = new UploadRequest("d/f.bin", "f.bin", 0, ConflictMode.Overwrite, "id-1_x", Retry: true, FtpHashAlgorithm.Sha256);

        Assert.Equal(request, UploadRequest.Read(Wire.Fields(request)));
    }

    [Fact]
    public void ToWriter_WithLastWriteTime_TimeAddedInMillisecondsSinceTheEpoch()
    {
        var time = new DateTimeOffset(2024, 2, 29, 13, 14, 15, 678, TimeSpan.FromHours(2)).AddTicks(9999);
        var expected = FieldWriter.ForFrame(FrameType.Upload, 6)
            .Add(FieldTag.Path, "in/")
            .Add(FieldTag.FileName, "a.txt")
            .Add(FieldTag.Length, 1234L)
            .Add(FieldTag.Conflict, (byte)ConflictMode.Rename)
            .Add(FieldTag.LastWriteTime, 1709205255678L);

        var request = new UploadRequest("in/", "a.txt", 1234, LastWriteTime: time);

        Wire.AssertSameFrame(expected, request, 6);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-62135596800000L)]
    [InlineData(253402300799999L)]
    public void Read_WrittenWithLastWriteTime_SameRequest(long milliseconds)
    {
        var request = new UploadRequest("d/", "f.bin", 3, ConflictMode.Fail, "id", Retry: false, FtpHashAlgorithm.XxHash128, DateTimeOffset.FromUnixTimeMilliseconds(milliseconds));

        Assert.Equal(request, UploadRequest.Read(Wire.Fields(request)));
    }

    [Theory]
    [InlineData(-62135596800001L)]
    [InlineData(253402300800000L)]
    [InlineData(long.MinValue)]
    [InlineData(long.MaxValue)]
    public void Read_LastWriteTimeOutsideTheYears1To9999_MalformedFrame(long milliseconds)
    {
        var fields = Wire.Fields(FieldWriter.ForFrame(FrameType.Upload, 1).Add(FieldTag.Length, 1L).Add(FieldTag.LastWriteTime, milliseconds));

        var refusal = Wire.Refusal(() => UploadRequest.Read(fields));

        Assert.Equal(FtpStatus.MalformedFrame, refusal.Status);
        Assert.Equal($"The client sent an UPLOAD whose LastWriteTime {milliseconds} lies outside the years 1-9999.", refusal.Message);
    }

    [Fact]
    public void Read_LastWriteTimeNotEightBytes_MalformedFrame()
    {
        var fields = Wire.Fields(FieldWriter.ForFrame(FrameType.Upload, 1).Add(FieldTag.Length, 1L).Add(FieldTag.LastWriteTime, (byte)1));

        Assert.Equal(FtpStatus.MalformedFrame, Wire.Refusal(() => UploadRequest.Read(fields)).Status);
    }

    [Fact]
    public void Read_OnlyLength_DefaultsOfTheProtocolPage()
    {
        var fields = Wire.Fields(FieldWriter.ForFrame(FrameType.Upload, 1).Add(FieldTag.Length, 5L));

        Assert.Equal(new UploadRequest("", null, 5, ConflictMode.Rename, null, false, null), UploadRequest.Read(fields));
    }

    [Fact]
    public void Read_NoLength_MalformedFrame()
    {
        var fields = Wire.Fields(FieldWriter.ForFrame(FrameType.Upload, 1).Add(FieldTag.Path, "a"));

        var refusal = Wire.Refusal(() => UploadRequest.Read(fields));

        Assert.Equal(FtpStatus.MalformedFrame, refusal.Status);
        Assert.Equal("Required field Length is missing.", refusal.Message);
    }

    [Theory]
    [InlineData(-1L, 0, "The client sent an UPLOAD with length -1 and conflict mode 0.")]
    [InlineData(10L, 3, "The client sent an UPLOAD with length 10 and conflict mode 3.")]
    [InlineData(long.MinValue, 255, "The client sent an UPLOAD with length -9223372036854775808 and conflict mode 255.")]
    public void Read_NegativeLengthOrUnknownConflict_MalformedFrameAsTheServerWordsIt(long length, int conflict, string message)
    {
        var fields = Wire.Fields(FieldWriter.ForFrame(FrameType.Upload, 1).Add(FieldTag.Length, length).Add(FieldTag.Conflict, (byte)conflict));

        var refusal = Wire.Refusal(() => UploadRequest.Read(fields));

        Assert.Equal(FtpStatus.MalformedFrame, refusal.Status);
        Assert.Equal(message, refusal.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a b")]
    [InlineData("../x")]
    [InlineData("ä")]
    [InlineData("a.b")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123x")]
    public void Read_UploadIdOutsideTheRule_MalformedFrame(string uploadId)
    {
        var fields = Wire.Fields(FieldWriter.ForFrame(FrameType.Upload, 1).Add(FieldTag.Length, 1L).Add(FieldTag.UploadId, uploadId));

        var refusal = Wire.Refusal(() => UploadRequest.Read(fields));

        Assert.Equal(FtpStatus.MalformedFrame, refusal.Status);
        Assert.Equal("The client sent an UPLOAD whose UploadId is not 1-64 characters of A-Z a-z 0-9 - _.", refusal.Message);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("AZaz09-_")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123")]
    public void IsValidUploadId_WithinTheRule_True(string uploadId)
    {
        Assert.True(UploadRequest.IsValidUploadId(uploadId));
    }

    [Fact]
    public void Read_RetryNotABoolean_MalformedFrame()
    {
        var fields = Wire.Fields(FieldWriter.ForFrame(FrameType.Upload, 1).Add(FieldTag.Length, 1L).Add(FieldTag.Retry, (byte)2));

        Assert.Equal(FtpStatus.MalformedFrame, Wire.Refusal(() => UploadRequest.Read(fields)).Status);
    }

    [Fact]
    public void Read_UnknownAlgorithm_HashMismatchAboutThePath()
    {
        var fields = Wire.Fields(FieldWriter.ForFrame(FrameType.Upload, 1).Add(FieldTag.Path, "in/").Add(FieldTag.Length, 1L).Add(FieldTag.HashAlgorithm, "MD5"));

        var refusal = Wire.Refusal(() => UploadRequest.Read(fields));

        Assert.Equal(FtpStatus.HashMismatch, refusal.Status);
        Assert.Equal("in/", refusal.RemotePath);
    }

    [Fact]
    public void Read_BadUploadIdAndUnknownAlgorithm_MalformedFirstAsTheServerChecks()
    {
        var fields = Wire.Fields(FieldWriter.ForFrame(FrameType.Upload, 1).Add(FieldTag.Length, 1L).Add(FieldTag.UploadId, "no way").Add(FieldTag.HashAlgorithm, "MD5"));

        Assert.Equal(FtpStatus.MalformedFrame, Wire.Refusal(() => UploadRequest.Read(fields)).Status);
    }

    [Fact]
    public void Read_UnknownAlgorithmAndFileNameNotUtf8_HashMismatchFirstAsTheServerChecks()
    {
        // The server read FileName only once the algorithm had been accepted.
        var fields = Wire.Fields(FieldWriter.ForFrame(FrameType.Upload, 1).Add(FieldTag.Length, 1L).Add(FieldTag.HashAlgorithm, "MD5").Add(FieldTag.FileName, new byte[] { 0xFF }));

        Assert.Equal(FtpStatus.HashMismatch, Wire.Refusal(() => UploadRequest.Read(fields)).Status);
    }
}
