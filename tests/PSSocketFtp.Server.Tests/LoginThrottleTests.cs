using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server.Tests;

/// <summary>
/// Failed logins slow down the next login checks from the same client address, on any connection (the second answer
/// after 1 s, then 2 s, 4 s, 8 s); a success forgets them; the fifth failure on a connection closes it. The server tells
/// time by a fake clock: a slow-down shows as a timer it arms, and nothing waits for real.
/// </summary>
public sealed class LoginThrottleTests : IAsyncLifetime
{
    private static readonly TimeSpan AtOnce = TimeSpan.Zero;
    // How long the server waits for the client to go after its last message.
    private static readonly TimeSpan Linger = TimeSpan.FromSeconds(1);

    private readonly string _folder = Directory.CreateTempSubdirectory("psftp-throttle-").FullName;
    private readonly ObservedTimeProvider _time = new();
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        string users = Path.Join(_folder, "users.txt");
        UserStore.AddOrReplace(users, "alice", "s3cret");
        _server = await TestServer.StartAsync(_time, "--users", users);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task Auth_SecondFailure_AnsweredOnlyOnceTheClockMovedOneSecond()
    {
        using var client = await _server.ConnectAsync();

        await RefusedAsync(client, AtOnce);
        await RefusedAsync(client, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Auth_RepeatedFailures_EachAnswerWaitsTwiceAsLong()
    {
        using var client = await _server.ConnectAsync();

        await FailFourTimesAsync(client);

        // The right password is checked only in the address's turn too: an answer at once would tell a guesser it was right.
        await LogInAsync(client, TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task Auth_FifthFailure_ClosesConnectionWithUnauthorized()
    {
        using var client = await _server.ConnectAsync();
        await FailFourTimesAsync(client);

        var last = await FailAsync(client, TimeSpan.FromSeconds(8));

        AssertClosingAnswer(last);
        await ExpectServerClosesAsync(client);
        await _server.Log.WaitForAsync(m => m.Contains("5 failed logins; closing the connection"));
    }

    [Fact]
    public async Task Auth_NewConnectionAfterFailures_DelayContinuesFromTheAddress()
    {
        using (var first = await _server.ConnectAsync())
        {
            await RefusedAsync(first, AtOnce);
            await RefusedAsync(first, TimeSpan.FromSeconds(1));
        }

        // Reconnecting does not start the count again: the third failure from this address waits 2 s, the fourth 4 s.
        using var second = await _server.ConnectAsync();
        await RefusedAsync(second, TimeSpan.FromSeconds(2));
        await RefusedAsync(second, TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task Auth_FifthFailureThenReconnect_NextCheckStillWaits()
    {
        using (var client = await _server.ConnectAsync())
        {
            await FailFourTimesAsync(client);
            AssertClosingAnswer(await FailAsync(client, TimeSpan.FromSeconds(8)));
            await ExpectServerClosesAsync(client);
        }

        // The connection closed at its fifth failure; the address's next check, on a new connection, still comes 8 s
        // after that failure (1 s of which passed while the server closed).
        using var again = await _server.ConnectAsync();
        await LogInAsync(again, TimeSpan.FromSeconds(8) - Linger);
    }

    [Fact]
    public async Task Auth_SuccessOnAnotherConnection_ResetsTheAddress()
    {
        using var guesser = await _server.ConnectAsync();
        await RefusedAsync(guesser, AtOnce);
        await RefusedAsync(guesser, TimeSpan.FromSeconds(1));
        using var user = await _server.ConnectAsync();

        await LogInAsync(user, TimeSpan.FromSeconds(2));

        // The address's failures are forgotten: the guesser's next failure is answered at once, the one after it after 1 s.
        await RefusedAsync(guesser, AtOnce);
        await RefusedAsync(guesser, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Auth_ManyConnectionsFromOneAddress_ChecksTakeTurnsOneSpacingApart()
    {
        using (var client = await _server.ConnectAsync())
        {
            await FailFourTimesAsync(client);
        }
        var guessers = new List<RawClient>();
        var answers = new List<Task<Frame>>();
        try
        {
            // Three connections guess at the same moment: each check gets its own turn, 8 s after the one before.
            for (int i = 1; i <= 3; i++)
            {
                var guesser = await _server.ConnectAsync();
                guessers.Add(guesser);
                await guesser.SendAuthAsync("alice", "wrong");
                answers.Add(guesser.ReadFrameAsync());
                await _time.WaitForArmedAsync(TimeSpan.FromSeconds(8 * i));
            }
            // A fourth connection's turn would come after 32 s, past its 30 s login deadline: it is answered at once, unchecked.
            var late = await _server.ConnectAsync();
            guessers.Add(late);
            Assert.Equal(FtpStatus.ServerBusy, (await late.AuthAsync("alice", "wrong")).Status);
            for (int i = 0; i < 3; i++)
            {
                _time.Fake.Advance(TimeSpan.FromSeconds(8) - TimeSpan.FromMilliseconds(1));
                Assert.False(answers[i].IsCompleted, $"Guess {i + 1} was answered before its turn.");
                _time.Fake.Advance(TimeSpan.FromMilliseconds(1));
                Assert.Equal(FtpStatus.Unauthorized, (await answers[i]).Status);
                Assert.All(answers.Skip(i + 1), later => Assert.False(later.IsCompleted));
            }
        }
        finally
        {
            guessers.ForEach(g => g.Dispose());
        }
    }

    [Fact]
    public async Task Auth_SuccessBetweenFailures_StartsTheCountAgain()
    {
        using var client = await _server.ConnectAsync();
        await RefusedAsync(client, AtOnce);
        await RefusedAsync(client, TimeSpan.FromSeconds(1));

        await LogInAsync(client, TimeSpan.FromSeconds(2));

        // Counted from one again: no wait, then the same growth, and four more failures do not close the connection.
        await FailFourTimesAsync(client);
        await LogInAsync(client, TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task Auth_UnknownUserAndWrongPassword_SameAnswerAndSameSlowDown()
    {
        using var client = await _server.ConnectAsync();

        var answers = new[]
        {
            await RefusedAsync(client, AtOnce, "mallory", "s3cret"),
            await RefusedAsync(client, TimeSpan.FromSeconds(1), "alice", "nope"),
            await RefusedAsync(client, TimeSpan.FromSeconds(2), "mallory", "nope"),
            await RefusedAsync(client, TimeSpan.FromSeconds(4), "alice", ""),
        };
        var last = await FailAsync(client, TimeSpan.FromSeconds(8), "mallory", "x");

        Assert.Single(answers.Select(a => a.Fields.TryGetString(FieldTag.Message)).Distinct());
        AssertClosingAnswer(last);
    }

    [Fact]
    public async Task Auth_FailuresFromOneAddress_DoNotSlowDownAnotherAddress()
    {
        using var guesser = await _server.ConnectAsync();
        await FailFourTimesAsync(guesser);
        // 127.0.0.2 reaches the server on 127.0.0.1 over the loopback interface: another client address.
        using var other = await RawClient.ConnectAsync(_server.EndPoint, local: System.Net.IPAddress.Parse("127.0.0.2"));

        // The other address's count is its own: its first failure is answered at once, its login after 1 s.
        await RefusedAsync(other, AtOnce);
        await LogInAsync(other, TimeSpan.FromSeconds(1));

        // The guesser's turn is still 8 s after its fourth failure, 1 s of which has passed; its fifth failure closes its connection only.
        AssertClosingAnswer(await FailAsync(guesser, TimeSpan.FromSeconds(7)));
        await ExpectServerClosesAsync(guesser);
        Assert.Equal(FrameType.Ok, (await other.RequestAsync(EmptyMessage.Ping)).Type);
    }

    /// <summary>Four failed logins, each refused only after its slow-down: at once, then 1 s, 2 s and 4 s.</summary>
    private async Task FailFourTimesAsync(RawClient client)
    {
        await RefusedAsync(client, AtOnce);
        await RefusedAsync(client, TimeSpan.FromSeconds(1));
        await RefusedAsync(client, TimeSpan.FromSeconds(2));
        await RefusedAsync(client, TimeSpan.FromSeconds(4));
    }

    /// <summary>A right login, answered OK only once the clock has moved by <paramref name="delay"/> (the address's turn).</summary>
    private async Task LogInAsync(RawClient client, TimeSpan delay)
    {
        var answer = await FailAsync(client, delay, "alice", "s3cret");
        Assert.True(answer.Type == FrameType.Ok, $"Expected OK, got {answer}.");
    }

    /// <summary>A failed login that leaves the connection open: Unauthorized on the AUTH's own stream.</summary>
    private async Task<Frame> RefusedAsync(RawClient client, TimeSpan delay, string user = "alice", string password = "wrong")
    {
        var answer = await FailAsync(client, delay, user, password);
        Assert.True(answer.Type == FrameType.Error && answer.Status == FtpStatus.Unauthorized && answer.StreamId != 0, $"Expected Unauthorized on the AUTH's stream, got {answer}.");
        return answer;
    }

    /// <summary>
    /// Sends a login (wrong unless told otherwise) and returns the answer. With a <paramref name="delay"/>, the server must arm exactly that
    /// timer and answer only once the clock has moved that far; without one, it answers with the clock standing still.
    /// </summary>
    private async Task<Frame> FailAsync(RawClient client, TimeSpan delay, string user = "alice", string password = "wrong")
    {
        await client.SendAuthAsync(user, password);
        var answer = client.ReadFrameAsync();
        if (delay > TimeSpan.Zero)
        {
            await _time.WaitForArmedAsync(delay);
            _time.Fake.Advance(delay - TimeSpan.FromMilliseconds(1));
            Assert.False(answer.IsCompleted, $"Answered before {delay} had passed.");
            _time.Fake.Advance(TimeSpan.FromMilliseconds(1));
        }
        return await answer;
    }

    /// <summary>The answer to the fifth failure: Unauthorized on stream 0, which ends the connection.</summary>
    private static void AssertClosingAnswer(Frame answer)
    {
        Assert.True(answer.Type == FrameType.Error && answer.StreamId == 0 && answer.Status == FtpStatus.Unauthorized, $"Expected Unauthorized on stream 0, got {answer}.");
        Assert.Contains("Too many failed logins", answer.Fields.TryGetString(FieldTag.Message));
    }

    /// <summary>The server closes by itself: after its last message it lingers 1 s (on its clock) for the client to go.</summary>
    private async Task ExpectServerClosesAsync(RawClient client)
    {
        await _time.WaitForArmedAsync(Linger);
        _time.Fake.Advance(Linger);
        await client.ExpectClosedAsync();
    }
}
