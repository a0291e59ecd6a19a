using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Protocol.Tests.Messages;

public class HashRequestTests
{
    [Theory]
    [InlineData(FtpHashAlgorithm.XxHash128)]
    [InlineData(FtpHashAlgorithm.Sha256)]
    public void ToWriter_AsTheClientBuildsIt_SameFrame(FtpHashAlgorithm algorithm)
    {
        // As Client/FtpSession.cs GetFileHashAsync built it by hand before it used this type.
        var current = FieldWriter.ForFrame(FrameType.Hash, 2).Add(FieldTag.Path, "f.bin").Add(FieldTag.HashAlgorithm, TransferHash.WireName(algorithm));

        Wire.AssertSameFrame(current, new HashRequest("f.bin", algorithm), 2);
    }

    [Fact]
    public void Read_Written_SameRequest()
    {
        var request = new HashRequest("f", FtpHashAlgorithm.Sha256);

        Assert.Equal(request, HashRequest.Read(Wire.Fields(request)));
    }

    [Fact]
    public void Read_NoAlgorithm_XxHash128()
    {
        var fields = Wire.Fields(FieldWriter.ForFrame(FrameType.Hash, 1).Add(FieldTag.Path, "f"));

        Assert.Equal(FtpHashAlgorithm.XxHash128, HashRequest.Read(fields).HashAlgorithm);
    }

    [Fact]
    public void Read_UnknownAlgorithm_HashMismatchAboutThePath()
    {
        var fields = Wire.Fields(FieldWriter.ForFrame(FrameType.Hash, 1).Add(FieldTag.Path, "f").Add(FieldTag.HashAlgorithm, "MD5"));

        var refusal = Wire.Refusal(() => HashRequest.Read(fields));

        // Not a protocol error: the server answers the request and the connection stays usable.
        Assert.Equal(FtpStatus.HashMismatch, refusal.Status);
        Assert.False(refusal.IsProtocolViolation);
        Assert.Equal("f", refusal.RemotePath);
        Assert.Equal("'MD5' is not a hash algorithm this side knows (XXH128, SHA256).", refusal.Message);
    }

    [Fact]
    public void Read_RecursiveNotABoolean_MalformedFrame()
    {
        var fields = Wire.Fields(FieldWriter.ForFrame(FrameType.Hash, 1).Add(FieldTag.Recursive, (byte)2).Add(FieldTag.HashAlgorithm, "MD5"));

        // The malformed boolean is read first, as the server did, so it wins over the unknown algorithm.
        Assert.Equal(FtpStatus.MalformedFrame, Wire.Refusal(() => HashRequest.Read(fields)).Status);
    }
}
