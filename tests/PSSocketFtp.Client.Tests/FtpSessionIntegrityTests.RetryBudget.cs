using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;
using PSSocketFtp.Client.Tests.Support;

namespace PSSocketFtp.Client.Tests;

/// <summary>
/// RetryCount counts tries in a row that move a transfer nowhere (issue #4 item 3): a try after which the other side holds
/// more bytes starts the count and the backoff again, and <see cref="Resilience.MaxTries"/> bounds the tries in all.
/// </summary>
public sealed partial class FtpSessionIntegrityTests
{
    private const int Chunk = ProtocolConstants.DataChunkSize;

    [Fact]
    public async Task DownloadFileAsync_CutFiveTimesEachAfterProgress_SucceedsWithRetryCountTwo()
    {
        var body = Bytes(6 * Chunk, seed: 31);
        await using var server = FakeServer.Start(ServeDownload(body, cutAfter: n => n <= 5 ? Chunk : null));
        var options = server.Options(_clock, retryCount: 2);
        using var session = await FtpSession.ConnectAsync(options).Soon();
        string target = Path.Combine(_folder, "big.bin");

        var result = await _clock.SkipDelaysAsync(() => session.DownloadFileAsync("big.bin", target), options.MaxRetryDelay).Soon();

        Assert.Equal(body, File.ReadAllBytes(target));
        Assert.Equal(6, result.Attempts);
        Assert.Equal(5 * Chunk, result.ResumedFrom);
        // The backoff starts again after each step forward: never past the first delay's jitter (±50 %).
        Assert.Equal(5, _clock.DelayLengths.Count);
        Assert.All(_clock.DelayLengths, delay => Assert.True(delay < options.RetryDelay * 1.5, $"Waited {delay} after a try that moved forward."));
    }

    [Fact]
    public async Task UploadAsync_CutFiveTimesEachAfterProgress_SucceedsWithRetryCountTwo()
    {
        var body = Bytes(6 * Chunk, seed: 32);
        var held = new List<byte>();
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.Type != FrameType.Upload)
            {
                await FakeServer.AnswerDefaultAsync(c, request);
                return;
            }
            await c.ReplyAsync(request, new ReadyAnswer(held.Count));
            if (c.Number <= 5)
            {
                held.AddRange((await c.ReadFrameAsync()).Payload); // keeps one more chunk, then the network breaks
                c.Close();
                return;
            }
            held.AddRange((await c.ReadBodyAsync(request.StreamId)).Where(f => f.Type == FrameType.Data).SelectMany(f => f.Payload));
            await c.ReplyAsync(request, new UploadAnswer("up.bin", body.Length, Renamed: false));
        });
        var options = server.Options(_clock, retryCount: 2);
        using var session = await FtpSession.ConnectAsync(options).Soon();

        var result = await _clock.SkipDelaysAsync(() => session.UploadAsync(new MemoryStream(body), "up.bin"), options.MaxRetryDelay).Soon();

        Assert.Equal(body, held.ToArray());
        Assert.Equal(6, result.Attempts);
        Assert.Equal(5 * Chunk, result.ResumedFrom);
    }

    [Fact]
    public async Task DownloadFileAsync_CutThreeTimesWithoutProgress_FailsWithRetryCountTwo()
    {
        await using var server = FakeServer.Start(ServeDownload(Bytes(2 * Chunk, seed: 33), cutAfter: _ => 0));
        var options = server.Options(_clock, retryCount: 2);
        using var session = await FtpSession.ConnectAsync(options).Soon();

        await Assert.ThrowsAsync<FtpConnectionException>(() => _clock.SkipDelaysAsync(() => session.DownloadFileAsync("big.bin", Path.Combine(_folder, "big.bin")), options.MaxRetryDelay).Soon());

        Assert.Equal(3, server.CountRequests(FrameType.Download));
    }

    [Fact]
    public async Task DownloadFileAsync_ProgressAfterFailuresThatUsedTheBudget_StartsTheCountAgain()
    {
        // Two tries cut before a byte (as while a server restarts), a third that moves a chunk, a fourth cut before a
        // byte again, which only a fresh count allows to be retried, then the rest.
        var body = Bytes(3 * Chunk, seed: 34);
        await using var server = FakeServer.Start(ServeDownload(body, cutAfter: n => n switch { <= 2 or 4 => 0, 3 => Chunk, _ => null }));
        var options = server.Options(_clock, retryCount: 2);
        using var session = await FtpSession.ConnectAsync(options).Soon();
        string target = Path.Combine(_folder, "big.bin");

        var result = await _clock.SkipDelaysAsync(() => session.DownloadFileAsync("big.bin", target), options.MaxRetryDelay).Soon();

        Assert.Equal(body, File.ReadAllBytes(target));
        Assert.Equal(5, result.Attempts);
    }

    [Fact]
    public async Task UploadAsync_CutAfterBytesTheServerNeverKeeps_FailsOneTryAfterRetryCount()
    {
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.Type != FrameType.Upload)
            {
                await FakeServer.AnswerDefaultAsync(c, request);
                return;
            }
            // Offset 0 every time: whatever the last try sent is gone.
            await c.ReplyAsync(request, new ReadyAnswer(0));
            await c.ReadFrameAsync();
            c.Close();
        });
        var options = server.Options(_clock, retryCount: 2);
        using var session = await FtpSession.ConnectAsync(options).Soon();

        await Assert.ThrowsAsync<FtpConnectionException>(() => _clock.SkipDelaysAsync(() => session.UploadAsync(new MemoryStream(Bytes(2 * Chunk, seed: 35)), "lost.bin"), options.MaxRetryDelay).Soon());

        // Only the next READY tells whether bytes sent before a cut were kept, so such a try is judged one try late.
        Assert.Equal(4, server.CountRequests(FrameType.Upload));
    }

    [Fact]
    public async Task DownloadFileAsync_PeerAddsOneByteEachTry_GivesUpAfterMaxTries()
    {
        await using var server = FakeServer.Start(ServeDownload(Bytes(2 * Resilience.MaxTries, seed: 36), cutAfter: _ => 1));
        var options = server.Options(_clock, retryCount: 1);
        // No delays to step through: a thousand tries run straight.
        options.RetryDelay = TimeSpan.Zero;
        using var session = await FtpSession.ConnectAsync(options).Soon();

        await Assert.ThrowsAsync<FtpConnectionException>(() => session.DownloadFileAsync("slow.bin", Path.Combine(_folder, "slow.bin")).WaitAsync(TimeSpan.FromMinutes(1)));

        Assert.Equal(Resilience.MaxTries, server.CountRequests(FrameType.Download));
    }
}
