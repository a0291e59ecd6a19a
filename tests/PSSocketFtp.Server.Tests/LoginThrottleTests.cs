using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server.Tests;

/// <summary>
/// Failed logins are slowed down per connection (the second answer after 1 s, then 2 s, 4 s, 8 s) and the fifth closes
/// the connection. The server tells time by a fake clock: a slow-down shows as a timer it arms, and nothing waits for real.
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

        Assert.Equal(FrameType.Ok, (await client.AuthAsync("alice", "s3cret")).Type);
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
        // The count belongs to the connection, not to the address: a new connection starts afresh (docs/security.md).
        using var again = await _server.ConnectAsync();
        await RefusedAsync(again, AtOnce);
    }

    [Fact]
    public async Task Auth_SuccessBetweenFailures_StartsTheCountAgain()
    {
        using var client = await _server.ConnectAsync();
        await RefusedAsync(client, AtOnce);
        await RefusedAsync(client, TimeSpan.FromSeconds(1));

        Assert.Equal(FrameType.Ok, (await client.AuthAsync("alice", "s3cret")).Type);

        // Counted from one again: no wait, then the same growth, and four more failures do not close the connection.
        await FailFourTimesAsync(client);
        Assert.Equal(FrameType.Ok, (await client.AuthAsync("alice", "s3cret")).Type);
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
    public async Task Auth_FailuresOnOneConnection_DoNotSlowDownAnother()
    {
        using var guesser = await _server.ConnectAsync();
        await FailFourTimesAsync(guesser);
        using var other = await _server.ConnectAsync();

        // The other connection's count is its own: its first failure is answered at once, its second after 1 s.
        await RefusedAsync(other, AtOnce);
        await RefusedAsync(other, TimeSpan.FromSeconds(1));
        Assert.Equal(FrameType.Ok, (await other.AuthAsync("alice", "s3cret")).Type);

        // The guesser's fifth failure closes the guesser's connection only.
        AssertClosingAnswer(await FailAsync(guesser, TimeSpan.FromSeconds(8)));
        await ExpectServerClosesAsync(guesser);
        Assert.Equal(FrameType.Ok, (await other.RequestAsync(FrameType.Ping)).Type);
    }

    /// <summary>Four failed logins, each refused only after its slow-down: at once, then 1 s, 2 s and 4 s.</summary>
    private async Task FailFourTimesAsync(RawClient client)
    {
        await RefusedAsync(client, AtOnce);
        await RefusedAsync(client, TimeSpan.FromSeconds(1));
        await RefusedAsync(client, TimeSpan.FromSeconds(2));
        await RefusedAsync(client, TimeSpan.FromSeconds(4));
    }

    /// <summary>A failed login that leaves the connection open: Unauthorized on the AUTH's own stream.</summary>
    private async Task<Frame> RefusedAsync(RawClient client, TimeSpan delay, string user = "alice", string password = "wrong")
    {
        var answer = await FailAsync(client, delay, user, password);
        Assert.True(answer.Type == FrameType.Error && answer.Status == FtpStatus.Unauthorized && answer.StreamId != 0, $"Expected Unauthorized on the AUTH's stream, got {answer}.");
        return answer;
    }

    /// <summary>
    /// Sends a wrong login and returns the answer. With a <paramref name="delay"/>, the server must arm exactly that
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
