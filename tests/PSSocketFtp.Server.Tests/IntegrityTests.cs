using System.IO.Hashing;
using System.Security.Cryptography;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;
using static PSSocketFtp.Server.Tests.ExchangeTests;

namespace PSSocketFtp.Server.Tests;

/// <summary>Whole-file hashes in upload and download trailers and the HASH request (protocol §3.1).</summary>
public class IntegrityTests
{
    [Fact]
    public async Task Upload_Xxh128Matches_StoredAndOkEchoesHash()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();
        var content = RandomBytes(ProtocolConstants.DataChunkSize * 2 + 333);
        uint id = client.NextStreamId();

        await client.SendAsync(id, RawClient.ResumableUploadRequest("h.bin", content.Length, uploadId: null));
        Assert.Equal(0, (await client.ExpectAsync(FrameType.Ready, id)).Fields.GetInt64(FieldTag.Offset));
        // Odd-sized pieces: the hash must not depend on how the body was cut.
        await client.SendBodyAsync(id, content, chunkSize: 10_007);
        await client.SendEndAsync(id, "XXH128", XxHash128.Hash(content));
        var ok = await client.ExpectAsync(FrameType.Ok, id);

        Assert.Equal("XXH128", ok.Fields.GetString(FieldTag.HashAlgorithm));
        Assert.Equal(XxHash128.Hash(content), ok.Fields.TryGetBytes(FieldTag.Hash));
        Assert.Equal(content, File.ReadAllBytes(server.FullPath("h.bin")));
    }

    [Fact]
    public async Task Upload_Sha256Matches_StoredAndOkEchoesHash()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();
        var content = RandomBytes(400_000);
        uint id = client.NextStreamId();

        await client.SendAsync(id, RawClient.ResumableUploadRequest("s.bin", content.Length, uploadId: null, algorithm: FtpHashAlgorithm.Sha256));
        await client.ExpectAsync(FrameType.Ready, id);
        await client.SendBodyAsync(id, content);
        await client.SendEndAsync(id, "SHA256", SHA256.HashData(content));
        var ok = await client.ExpectAsync(FrameType.Ok, id);

        Assert.Equal("SHA256", ok.Fields.GetString(FieldTag.HashAlgorithm));
        Assert.Equal(SHA256.HashData(content), ok.Fields.TryGetBytes(FieldTag.Hash));
        Assert.Equal(content, File.ReadAllBytes(server.FullPath("s.bin")));
    }

    [Fact]
    public async Task Upload_HashMismatch_PartialDiscardedAndNextTryStartsAtZero()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();
        var content = RandomBytes(300_000);
        var wrong = XxHash128.Hash(content);
        wrong[0] ^= 1;

        var (offset, answer) = await client.ResumableUploadAsync("m.bin", content, "id-mismatch", trailerHash: wrong);

        Assert.Equal(0, offset);
        Assert.Equal(FrameType.Error, answer.Type);
        Assert.Equal(FtpStatus.HashMismatch, answer.Status);
        Assert.False(File.Exists(server.FullPath("m.bin")));
        Assert.Empty(Directory.GetFiles(server.PartialFolder));
        var (again, ok) = await client.ResumableUploadAsync("m.bin", content, "id-mismatch");
        Assert.Equal(0, again);
        Assert.Equal(FrameType.Ok, ok.Type);
        Assert.Equal(content, File.ReadAllBytes(server.FullPath("m.bin")));
    }

    [Fact]
    public async Task Upload_AnnouncedHashMissingFromEnd_HashMismatchAndNothingStored()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();
        uint id = client.NextStreamId();

        await client.SendAsync(id, RawClient.ResumableUploadRequest("n.bin", 3, uploadId: null));
        await client.ExpectAsync(FrameType.Ready, id);
        await client.SendBodyAsync(id, "abc"u8.ToArray());
        await client.SendEndAsync(id);

        await client.ExpectErrorAsync(id, FtpStatus.HashMismatch);
        Assert.False(File.Exists(server.FullPath("n.bin")));
        Assert.Empty(Directory.GetFiles(server.PartialFolder));
    }

    [Fact]
    public async Task Upload_UnknownHashAlgorithm_RequestFailsConnectionStays()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();
        uint id = client.NextStreamId();

        // MD5 is no algorithm of the protocol's, so UploadRequest cannot carry it: that one field is added by hand.
        await client.SendAsync(new UploadRequest("", "u.bin", 3).ToWriter(id).Add(FieldTag.HashAlgorithm, "MD5"));

        var error = await client.ExpectErrorAsync(id, FtpStatus.HashMismatch);
        Assert.Contains("MD5", error.Fields.GetString(FieldTag.Message));
        Assert.Equal(FrameType.Ok, (await client.RequestAsync(EmptyMessage.Ping)).Type);
        Assert.Empty(Directory.GetFiles(server.PartialFolder));
    }

    [Theory]
    [InlineData("XXH128")]
    [InlineData("SHA256")]
    [InlineData(null)]
    public async Task Hash_File_OkWithPathLengthAndWholeFileHash(string? algorithm)
    {
        await using var server = await TestServer.StartAsync();
        var content = RandomBytes(1_500_000);
        Directory.CreateDirectory(server.FullPath("d"));
        File.WriteAllBytes(server.FullPath("d/f.bin"), content);
        using var client = await server.ConnectAsync();
        uint id = client.NextStreamId();
        var request = algorithm is null
            // Built by hand: HashRequest always names its algorithm, and the server's default for a HASH without one is under test.
            ? FieldWriter.ForFrame(FrameType.Hash, id).Add(FieldTag.Path, "/d//f.bin")
            : new HashRequest("/d//f.bin", TransferHash.Parse(algorithm)).ToWriter(id);

        await client.SendAsync(request);
        var ok = await client.ExpectAsync(FrameType.Ok, id);

        Assert.Equal("d/f.bin", ok.Fields.GetString(FieldTag.Path));
        Assert.Equal(content.Length, ok.Fields.GetInt64(FieldTag.Length));
        Assert.Equal(algorithm ?? "XXH128", ok.Fields.GetString(FieldTag.HashAlgorithm));
        Assert.Equal(algorithm == "SHA256" ? SHA256.HashData(content) : XxHash128.Hash(content), ok.Fields.TryGetBytes(FieldTag.Hash));
    }

    [Fact]
    public async Task Hash_MissingFile_NotFoundConnectionStays()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();

        var answer = await client.RequestAsync(new HashRequest("nope.bin"));

        Assert.Equal(FtpStatus.NotFound, answer.Status);
        Assert.Equal(FrameType.Ok, (await client.RequestAsync(EmptyMessage.Ping)).Type);
    }

    [Theory]
    [InlineData("XXH128")]
    [InlineData("SHA256")]
    public async Task Download_WithHashAlgorithm_EndCarriesWholeFileHash(string algorithm)
    {
        await using var server = await TestServer.StartAsync();
        var content = RandomBytes(ProtocolConstants.DataChunkSize * 3 + 5);
        File.WriteAllBytes(server.FullPath("d.bin"), content);
        using var client = await server.ConnectAsync();

        var (_, body, end) = await client.DownloadAsync(new DownloadRequest("d.bin", TransferHash.Parse(algorithm)));

        Assert.Equal(content, body);
        Assert.Equal(algorithm, end.Fields.GetString(FieldTag.HashAlgorithm));
        Assert.Equal(algorithm == "SHA256" ? SHA256.HashData(content) : XxHash128.Hash(content), end.Fields.TryGetBytes(FieldTag.Hash));
    }

    [Fact]
    public async Task Download_WithoutHashAlgorithm_EndIsEmpty()
    {
        await using var server = await TestServer.StartAsync();
        File.WriteAllBytes(server.FullPath("plain.bin"), new byte[10]);
        using var client = await server.ConnectAsync();

        var (_, _, end) = await client.DownloadAsync(new DownloadRequest("plain.bin"));

        Assert.Empty(end.Payload);
    }
}
