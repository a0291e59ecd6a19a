using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;
using PSSocketFtp.Client.Tests.Support;

namespace PSSocketFtp.Client.Tests;

/// <summary>
/// The streamed listing (issue 11): batches reach the caller as their frames arrive, a stop midway leaves the session
/// usable, and a try that already handed items over is not repeated.
/// </summary>
public class FtpSessionListingTests
{
    private static readonly DateTimeOffset Time = new(2024, 3, 4, 5, 6, 7, TimeSpan.Zero);
    private readonly TestClock _clock = new();

    private static RemoteEntry File(string path) => new(path, ItemKind.File, 1, Time);

    [Fact]
    public async Task ListInBatchesAsync_FirstFrame_HandedOverBeforeTheServerSendsTheRest()
    {
        var firstSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.Type != FrameType.List)
            {
                await FakeServer.AnswerDefaultAsync(c, request);
                return;
            }
            await c.ReplyAsync(request, new EntriesAnswer([File("d/a.txt"), File("d/b.txt")]));
            // The rest only once the client has shown the first batch to its caller.
            await firstSeen.Task.Soon();
            await c.ReplyAsync(request, new EntriesAnswer([File("d/c.txt")]));
            await c.ReplyAsync(request, new ListEndAnswer(3));
        });
        using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();
        var batches = new List<string[]>();

        long count = await session.ListInBatchesAsync("/d", recurse: false, batch =>
        {
            batches.Add(batch.Select(item => item.FullName).ToArray());
            firstSeen.TrySetResult();
            return Task.CompletedTask;
        }).Soon();

        Assert.Equal(3, count);
        Assert.Equal(new[] { new[] { "/d/a.txt", "/d/b.txt" }, new[] { "/d/c.txt" } }, batches);
    }

    [Fact]
    public async Task ListInBatchesAsync_NextFrame_ReadOnlyOnceTheBatchWasTaken()
    {
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.Type != FrameType.List)
            {
                await FakeServer.AnswerDefaultAsync(c, request);
                return;
            }
            await c.ReplyAsync(request, new EntriesAnswer([File("a.txt")]));
            await c.ReplyAsync(request, new EntriesAnswer([File("b.txt")]));
            await c.ReplyAsync(request, new ListEndAnswer(2));
        });
        using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();
        var taken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var firstSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int batches = 0;

        var listing = session.ListInBatchesAsync("/", recurse: false, batch =>
        {
            if (Interlocked.Increment(ref batches) != 1)
            {
                return Task.CompletedTask;
            }
            firstSeen.SetResult();
            return taken.Task;
        });
        // Waits for the first batch however busy the machine is; the pause after it only gives a listing that read on
        // regardless the time to show it (a correct one never hands over the second batch here, so it cannot flake).
        await firstSeen.Task.Soon();
        await Task.Delay(50);

        Assert.Equal(1, Volatile.Read(ref batches));
        Assert.False(listing.IsCompleted);
        taken.SetResult();
        Assert.Equal(2, await listing.Soon());
        Assert.Equal(2, batches);
    }

    [Fact]
    public async Task ListInBatchesAsync_CancelledMidListing_OtherStreamsAndTheSessionGoOn()
    {
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.Type != FrameType.List)
            {
                await FakeServer.AnswerDefaultAsync(c, request);
                return;
            }
            // Half a listing, and the rest never comes: only cancelling ends the call.
            await c.ReplyAsync(request, new EntriesAnswer([File("a.txt")]));
            if (request.Fields.GetString(FieldTag.Path) == "done")
            {
                await c.ReplyAsync(request, new ListEndAnswer(1));
            }
        });
        using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();
        Assert.Equal(ProtocolConstants.Version, session.ProtocolVersion);
        using var stop = new CancellationTokenSource();
        var firstSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var listing = session.ListInBatchesAsync("/", recurse: false, batch =>
        {
            firstSeen.TrySetResult();
            return Task.CompletedTask;
        }, stop.Token);
        await firstSeen.Task.Soon();
        // Another stream on the same connection while the listing is open.
        await session.PingAsync().Soon();
        stop.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => listing.Soon());
        await session.PingAsync().Soon();
        var items = await session.ListAsync("/done").Soon();
        Assert.Equal("/a.txt", Assert.Single(items).FullName);
        Assert.True(session.IsOpen);
    }

    [Fact]
    public async Task ListInBatchesAsync_ConnectionLostAfterABatch_FailsRatherThanRepeatingIt()
    {
        await using var server = FakeServer.Start(async (c, request) =>
        {
            if (request.Type != FrameType.List)
            {
                await FakeServer.AnswerDefaultAsync(c, request);
                return;
            }
            await c.ReplyAsync(request, new EntriesAnswer([File("a.txt")]));
            c.Close();
        });
        var options = server.Options(_clock);
        using var session = await FtpSession.ConnectAsync(options).Soon();
        int batches = 0;

        await Assert.ThrowsAsync<FtpConnectionException>(() => _clock.SkipDelaysAsync(() => session.ListInBatchesAsync("/", recurse: false, batch =>
        {
            batches++;
            return Task.CompletedTask;
        }), options.MaxRetryDelay)).Soon();

        Assert.Equal(1, batches);
        Assert.Equal(1, server.CountRequests(FrameType.List));
    }
}
