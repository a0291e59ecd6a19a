using Microsoft.Extensions.Logging;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server.Tests;

/// <summary>
/// What bounds a connection that is slow on purpose: the login deadline (a server with users), the first-request deadline
/// (an anonymous server) and the frame deadline, none of which bytes trickling in can stretch. On a fake clock.
/// </summary>
public sealed class DeadlineTests : IDisposable
{
    private static readonly TimeSpan LoginTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FrameTimeout = TimeSpan.FromMinutes(2);
    // How long the server waits for the client to go after its last message.
    private static readonly TimeSpan Linger = TimeSpan.FromSeconds(1);

    private readonly string _folder = Directory.CreateTempSubdirectory("psftp-deadline-").FullName;
    private readonly ObservedTimeProvider _time = new();

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Connect_NoLoginWithinLoginTimeout_ClosedWithUnauthorized()
    {
        await using var server = await StartWithUsersAsync();
        using var client = await server.ConnectAsync();

        await _time.AdvanceOnceArmedAsync(LoginTimeout);

        await ExpectLoginDeadlineAsync(server, client);
    }

    [Fact]
    public async Task Connect_RequestsBeforeLogin_DoNotExtendTheLoginDeadline()
    {
        await using var server = await StartWithUsersAsync();
        using var client = await server.ConnectAsync();
        await _time.AdvanceOnceArmedAsync(LoginTimeout, by: TimeSpan.FromSeconds(20));

        // Refused, as every request before a login is; the connection has 10 s left, not the idle limit again.
        Assert.Equal(FtpStatus.Unauthorized, (await client.RequestAsync(EmptyMessage.Ping)).Status);
        await _time.AdvanceOnceArmedAsync(TimeSpan.FromSeconds(10));

        await ExpectLoginDeadlineAsync(server, client);
    }

    [Fact]
    public async Task Connect_LoggedInWithinLoginTimeout_HeldUntilIdleTimeout()
    {
        await using var server = await StartWithUsersAsync();
        using var client = await server.ConnectAsync();
        await _time.AdvanceOnceArmedAsync(LoginTimeout, by: LoginTimeout - TimeSpan.FromSeconds(1));

        Assert.Equal(FrameType.Ok, (await client.AuthAsync("alice", "s3cret")).Type);
        await _time.AdvanceOnceArmedAsync(TimeSpan.FromMinutes(10), by: TimeSpan.FromMinutes(9));

        Assert.Equal(FrameType.Ok, (await client.RequestAsync(EmptyMessage.Ping)).Type);
        Assert.DoesNotContain(server.Log.Messages, m => m.Contains("did not log in"));
    }

    [Fact]
    public async Task Connect_AnonymousNoRequestWithinLoginTimeout_Closed()
    {
        await using var server = await TestServer.StartAsync(_time);
        using var client = await server.ConnectAsync();

        await ExpectClosedWhenDueAsync(server, client, LoginTimeout, "sent no request within 00:00:30; closed");
    }

    [Fact]
    public async Task Request_HeaderStalledPastFrameTimeout_Closed()
    {
        await using var server = await TestServer.StartAsync(_time);
        using var client = await server.ConnectAsync();
        Assert.Equal(FrameType.Ok, (await client.RequestAsync(EmptyMessage.Ping)).Type);

        // Half a header, then nothing: the frame deadline (2 min), not the idle limit (10 min), ends the wait.
        await client.SendAsync(new byte[] { (byte)FrameType.Ping, 0, 0 });

        await ExpectClosedWhenDueAsync(server, client, FrameTimeout, "took longer than 00:02:00 to send one frame; closed");
    }

    [Fact]
    public async Task Upload_DataFrameTrickledPastFrameTimeout_Closed()
    {
        await using var server = await TestServer.StartAsync(_time);
        using var client = await server.ConnectAsync();
        uint id = await BeginUploadAsync(client, "slow.bin", 100);
        var frame = client.DataFrame(id, new byte[100]);
        int header = frame.Length - 100;

        // A byte at a time, each well within the idle limit: every byte would restart an idle timer, not the frame's deadline.
        await client.SendAsync(frame.AsMemory(0, header + 1));
        await _time.AdvanceOnceArmedAsync(FrameTimeout, by: TimeSpan.FromSeconds(90));
        await client.SendAsync(frame.AsMemory(header + 1, 1));

        // The timer now stands for what is left of the frame's 2 min, not for a fresh idle limit.
        await ExpectClosedWhenDueAsync(server, client, TimeSpan.FromSeconds(30), "took longer than 00:02:00 to send one frame; closed");
        Assert.False(File.Exists(server.FullPath("slow.bin")));
    }

    [Fact]
    public async Task Upload_EachFrameWithinFrameTimeout_CompletesThoughTheWholeTakesLonger()
    {
        await using var server = await TestServer.StartAsync(_time);
        using var client = await server.ConnectAsync();
        uint id = await BeginUploadAsync(client, "steady.bin", 30);

        // Three frames of 90 s each: 4.5 min in all, over the frame deadline, but no single frame is.
        for (int i = 0; i < 3; i++)
        {
            // Each frame starts once the server waits for it (the idle timer armed between frames), so that the clock
            // never moves past a frame the server has not finished reading.
            await _time.WaitForArmedAsync(TimeSpan.FromMinutes(10));
            var frame = client.DataFrame(id, new byte[10]);
            await client.SendAsync(frame.AsMemory(0, frame.Length - 5));
            _time.Fake.Advance(TimeSpan.FromSeconds(90));
            await client.SendAsync(frame.AsMemory(frame.Length - 5));
        }
        await client.SendEndAsync(id);

        Assert.Equal(30, (await client.ExpectAsync(FrameType.Ok, id)).Fields.GetInt64(FieldTag.Length));
    }

    /// <summary>Sends an UPLOAD (the connection's first request) and waits for its READY; returns its stream.</summary>
    private static async Task<uint> BeginUploadAsync(RawClient client, string name, int length)
    {
        uint id = client.NextStreamId();
        await client.SendAsync(id, new UploadRequest("", name, length));
        await client.ExpectAsync(FrameType.Ready, id);
        return id;
    }

    private async Task<TestServer> StartWithUsersAsync()
    {
        string users = Path.Join(_folder, "users.txt");
        UserStore.AddOrReplace(users, "alice", "s3cret");
        return await TestServer.StartAsync(_time, "--users", users);
    }

    [Theory]
    [InlineData("LoginTimeout", "00:00:00")]
    [InlineData("FrameTimeout", "-00:00:01")]
    [InlineData("LoginFailureWindow", "00:00:00")]
    [InlineData("MaxConcurrentLogins", "0")]
    public async Task StartAsync_LimitOutOfRange_ThrowsArgumentExceptionNamingIt(string setting, string value)
    {
        // Refused before anything listens, as the other limits are.
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => FtpServerHost.StartAsync(
            ["--root", Path.Join(_folder, "root"), "--port", "0", $"--PSSocketFtp:{setting}", value], l => l.ClearProviders()));

        Assert.Contains(setting, ex.Message);
    }

    /// <summary>The server closes once the clock reaches the timer it armed for <paramref name="due"/>, and logs why.</summary>
    private async Task ExpectClosedWhenDueAsync(TestServer server, RawClient client, TimeSpan due, string logged)
    {
        await _time.AdvanceOnceArmedAsync(due);
        await client.ExpectClosedAsync();
        await server.Log.WaitForAsync(m => m.Contains(logged));
    }

    /// <summary>The login deadline's answer: Unauthorized on stream 0 saying why, a log line, and the server closes.</summary>
    private async Task ExpectLoginDeadlineAsync(TestServer server, RawClient client)
    {
        var answer = await client.ReadFrameAsync();
        Assert.True(answer.Type == FrameType.Error && answer.StreamId == 0 && answer.Status == FtpStatus.Unauthorized, $"Expected Unauthorized on stream 0, got {answer}.");
        Assert.Contains("requires a login within 30 s", answer.Fields.TryGetString(FieldTag.Message));
        await server.Log.WaitForAsync(m => m.Contains("did not log in within 00:00:30; closed"));
        await _time.AdvanceOnceArmedAsync(Linger);
        await client.ExpectClosedAsync();
    }
}
