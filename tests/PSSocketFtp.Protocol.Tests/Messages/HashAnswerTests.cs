using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Protocol.Tests.Messages;

public class HashAnswerTests
{
    [Fact]
    public void ToWriter_AsTheServerBuildsIt_SameFrame()
    {
        // As Server/Session/Requests/FtpConnectionSession.Hash.cs HashAsync built it by hand before it used this type.
        var current = FieldWriter.ForFrame(FrameType.Ok, 4)
            .Add(FieldTag.Path, "f.bin")
            .Add(FieldTag.Length, 99L)
            .Add(FieldTag.HashAlgorithm, "XXH128")
            .Add(FieldTag.Hash, Wire.Digest);

        Wire.AssertSameFrame(current, new HashAnswer("f.bin", 99, "XXH128", Wire.Digest), 4);
    }

    [Fact]
    public void Read_Written_SameValues()
    {
        var read = HashAnswer.Read(Wire.Fields(new HashAnswer("f", 3, "SHA256", Wire.Digest)), FtpHashAlgorithm.Sha256);

        Assert.Equal(("f", 3L, "SHA256"), (read.Path, read.Length, read.HashAlgorithm));
        Assert.Equal(Wire.Digest, read.Hash);
    }

    [Fact]
    public void Read_NoAlgorithmNoPath_TheRequestedOneAndNullPath()
    {
        var fields = Wire.Fields(FieldWriter.ForFrame(FrameType.Ok, 1).Add(FieldTag.Length, 3L).Add(FieldTag.Hash, Wire.Digest));

        var read = HashAnswer.Read(fields, FtpHashAlgorithm.XxHash128);

        Assert.Equal("XXH128", read.HashAlgorithm);
        Assert.Null(read.Path);
    }

    [Theory]
    [InlineData("SHA256", 16)]
    [InlineData("XXH128", 0)]
    [InlineData("XXH128", -1)]
    public void Read_OtherAlgorithmOrNoHash_MalformedFrameAsTheClientWordsIt(string algorithm, int hashLength)
    {
        var frame = FieldWriter.ForFrame(FrameType.Ok, 1).Add(FieldTag.Length, 3L).Add(FieldTag.HashAlgorithm, algorithm);
        if (hashLength >= 0)
        {
            frame.Add(FieldTag.Hash, new byte[hashLength]);
        }

        var refusal = Wire.Refusal(() => HashAnswer.Read(Wire.Fields(frame), FtpHashAlgorithm.XxHash128));

        Assert.Equal(FtpStatus.MalformedFrame, refusal.Status);
        Assert.Equal("The server answered a XXH128 HASH request without a XXH128 hash.", refusal.Message);
    }

    [Fact]
    public void Read_NoLength_MalformedFrame()
    {
        var fields = Wire.Fields(FieldWriter.ForFrame(FrameType.Ok, 1).Add(FieldTag.HashAlgorithm, "XXH128").Add(FieldTag.Hash, Wire.Digest));

        Assert.Equal(FtpStatus.MalformedFrame, Wire.Refusal(() => HashAnswer.Read(fields, FtpHashAlgorithm.XxHash128)).Status);
    }
}
