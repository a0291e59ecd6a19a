using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Protocol.Tests.Messages;

public class UploadAnswerTests
{
    [Theory]
    [InlineData(false, null, false)]
    [InlineData(true, "XXH128", true)]
    [InlineData(false, "XXH128", false)]
    [InlineData(false, null, true)]
    public void ToWriter_AsTheServerBuildsIt_SameFrame(bool renamed, string? algorithm, bool withHash)
    {
        // As Server/FtpSession.cs OkFrame (now Server/Session/Requests/FtpConnectionSession.Upload.cs AnswerOf) built it by hand before it used this type.
        byte[]? hash = withHash ? Wire.Digest : null;
        var current = FieldWriter.ForFrame(FrameType.Ok, 5)
            .Add(FieldTag.Path, "in/a_1.txt")
            .Add(FieldTag.Length, 10L)
            .Add(FieldTag.Renamed, renamed);
        if (algorithm is not null && hash is not null)
        {
            current.Add(FieldTag.HashAlgorithm, algorithm).Add(FieldTag.Hash, hash);
        }

        Wire.AssertSameFrame(current, new UploadAnswer("in/a_1.txt", 10, renamed, algorithm, hash), 5);
    }

    [Fact]
    public void Read_Written_SameValues()
    {
        var read = UploadAnswer.Read(Wire.Fields(new UploadAnswer("p", 7, true, "SHA256", Wire.Digest)));

        Assert.Equal(("p", (long?)7, true, "SHA256"), (read.Path, read.Length, read.Renamed, read.HashAlgorithm));
        Assert.Equal(Wire.Digest, read.Hash);
    }

    [Fact]
    public void Read_NoLength_Null()
    {
        var fields = Wire.Fields(FieldWriter.ForFrame(FrameType.Ok, 1).Add(FieldTag.Path, "p"));

        Assert.Equal(new UploadAnswer("p", null, false), UploadAnswer.Read(fields));
    }

    [Fact]
    public void Read_NoPath_MalformedFrame()
    {
        var fields = Wire.Fields(FieldWriter.ForFrame(FrameType.Ok, 1).Add(FieldTag.Length, 1L));

        Assert.Equal(FtpStatus.MalformedFrame, Wire.Refusal(() => UploadAnswer.Read(fields)).Status);
    }

    [Fact]
    public void Read_RenamedNotABoolean_MalformedFrame()
    {
        var fields = Wire.Fields(FieldWriter.ForFrame(FrameType.Ok, 1).Add(FieldTag.Path, "p").Add(FieldTag.Renamed, (byte)2));

        Assert.Equal(FtpStatus.MalformedFrame, Wire.Refusal(() => UploadAnswer.Read(fields)).Status);
    }
}
