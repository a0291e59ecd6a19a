using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;
using PSSocketFtp.Client.Tests.Support;

namespace PSSocketFtp.Client.Tests;

/// <summary>
/// An upload's OK must be about the bytes this client sent (issue #9 item 5): its Length, and its Hash when it has one.
/// Anything else, also an OK from the server's record for a retry, is an error and never a success.
/// </summary>
public sealed partial class FtpSessionIntegrityTests
{
    public static TheoryData<long?, bool, FtpStatus> OtherAnswers => new()
    {
        { 5L, false, FtpStatus.LengthMismatch }, // another upload's length (and its hash)
        { 11L, true, FtpStatus.LengthMismatch },
        { null, true, FtpStatus.LengthMismatch }, // no length: nothing says the file is whole
        { 10L, false, FtpStatus.HashMismatch }, // the length, but another file's hash
    };

    [Theory]
    [MemberData(nameof(OtherAnswers))]
    public async Task UploadAsync_RetryAnsweredFromRecordOfAnotherUpload_ThrowsMismatchAndSendsNoMore(long? length, bool ownHash, FtpStatus expected)
    {
        // The lost answer of b.txt (10 bytes) is answered from the record of a.txt (5 bytes), stored under the same id.
        var body = Bytes(10, seed: 41);
        var other = Bytes(5, seed: 42);
        await using var server = FakeServer.StartLosingUploadAnswers(new UploadAnswer("a.txt", length, Renamed: false, "XXH128", FakeServer.HashOf(ownHash ? body : other)));
        var options = server.Options(_clock);
        using var session = await FtpSession.ConnectAsync(options).Soon();

        var ex = await Assert.ThrowsAsync<FtpException>(() => _clock.SkipDelaysAsync(() => session.UploadAsync(new MemoryStream(body), "b.txt"), options.MaxRetryDelay).Soon());

        Assert.Equal(expected, ex.Status);
        Assert.Contains("b.txt", ex.Message, StringComparison.Ordinal);
        // Not retried: the server says a file is stored, and another try could store a second copy. One body: the first's.
        Assert.Equal([false, true], server.Requests.Where(r => r.Type == FrameType.Upload).Select(r => r.Fields.GetBoolean(FieldTag.Retry)));
        await session.PingAsync().Soon();
    }

    [Theory]
    [MemberData(nameof(OtherAnswers))]
    public async Task UploadAsync_OkOfAnotherLengthOrHash_ThrowsMismatchWithoutRetrying(long? length, bool ownHash, FtpStatus expected)
    {
        var body = Bytes(10, seed: 43);
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.Type != FrameType.Upload)
            {
                await FakeServer.AnswerDefaultAsync(c, request);
                return;
            }
            await c.AcceptBodyAsync(request);
            await c.ReplyAsync(request, new UploadAnswer("b.txt", length, Renamed: false, "XXH128", FakeServer.HashOf(ownHash ? body : Bytes(10, seed: 44))));
        });
        var options = server.Options(_clock);
        using var session = await FtpSession.ConnectAsync(options).Soon();

        var ex = await Assert.ThrowsAsync<FtpException>(() => _clock.SkipDelaysAsync(() => session.UploadAsync(new MemoryStream(body), "b.txt"), options.MaxRetryDelay).Soon());

        Assert.Equal(expected, ex.Status);
        Assert.Equal(1, server.CountRequests(FrameType.Upload));
        Assert.Equal(0, _clock.Delays);
    }
}
