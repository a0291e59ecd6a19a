using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Protocol.Tests.Messages;

public class EndTrailerTests
{
    [Fact]
    public void ToWriter_WithHashAsTheClientAndServerBuildIt_SameFrame()
    {
        // As Client/FtpConnection.cs SendBodyAsync and Server/Session/Requests/FtpConnectionSession.Download.cs DownloadAsync built it by hand before they
        // used this type; Client.Tests/Support/FakeServer.cs EndAsync still builds it by hand.
        var current = FieldWriter.ForFrame(FrameType.End, 4).Add(FieldTag.HashAlgorithm, "XXH128").Add(FieldTag.Hash, Wire.Digest);

        Wire.AssertSameFrame(current, new EndTrailer("XXH128", Wire.Digest), 4);
    }

    [Fact]
    public void ToWriter_NoHashAsTheServerBuildsIt_SameFrame()
    {
        // As Server/Session/Requests/FtpConnectionSession.Download.cs DownloadAsync built it by hand, for a request without HashAlgorithm, before it
        // used this type; Server.Tests/RawClient.cs UploadAsync still builds it by hand.
        Wire.AssertSameFrame(FieldWriter.ForFrame(FrameType.End, 4), EndTrailer.Empty, 4);
    }

    [Fact]
    public void ToWriter_OneOfTheTwoAsTheRawClientSendsIt_SameFrame()
    {
        // Server.Tests/RawClient.cs SendEndAsync, which adds each field that is given.
        Wire.AssertSameFrame(FieldWriter.ForFrame(FrameType.End, 1).Add(FieldTag.HashAlgorithm, "XXH128"), new EndTrailer("XXH128"), 1);
        Wire.AssertSameFrame(FieldWriter.ForFrame(FrameType.End, 1).Add(FieldTag.Hash, Wire.Digest), new EndTrailer(Hash: Wire.Digest), 1);
    }

    [Fact]
    public void Read_Written_SameValues()
    {
        var read = EndTrailer.Read(Wire.Fields(new EndTrailer("SHA256", Wire.Digest)));

        Assert.Equal("SHA256", read.HashAlgorithm);
        Assert.Equal(Wire.Digest, read.Hash);
    }

    [Fact]
    public void Read_NoFields_NoHash()
    {
        Assert.Equal(EndTrailer.Empty, EndTrailer.Read(FieldSet.Empty));
    }
}
