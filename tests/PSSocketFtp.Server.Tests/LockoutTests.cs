using System.Net;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server.Tests;

/// <summary>
/// Connections that only wait cannot keep out a client that logs in: a newcomer over a connection limit takes the slot of
/// the oldest connection that is not ready yet (not logged in, or on an anonymous server without a request).
/// </summary>
public sealed class LockoutTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("psftp-lockout-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Connect_AddressFullOfConnectionsNotLoggedIn_NewcomerAdmittedAndOldestClosed()
    {
        string users = Path.Join(_folder, "users.txt");
        UserStore.AddOrReplace(users, "alice", "s3cret");
        await using var server = await TestServer.StartAsync("--users", users, "--PSSocketFtp:MaxConnectionsPerAddress", "2");
        using var oldest = await server.ConnectAsync();
        using var older = await server.ConnectAsync();

        // Admitted (RawClient checks the handshake's OK), and the oldest waiting connection makes room.
        using var newcomer = await server.ConnectAsync();

        await oldest.ExpectClosedAsync();
        await server.Log.WaitForAsync(m => m.Contains("its slot went to a new connection"));
        Assert.Equal(FrameType.Ok, (await newcomer.AuthAsync("alice", "s3cret")).Type);
        Assert.Equal(FrameType.Ok, (await older.AuthAsync("alice", "s3cret")).Type);
        // Both slots now hold logged-in connections, which keep them: the next newcomer is refused.
        using var refused = await server.ConnectAsync(handshake: false);
        Assert.Equal(FtpStatus.ServerBusy, await LimitsTests.HandshakeStatusAsync(refused));
        Assert.Equal(FrameType.Ok, (await newcomer.RequestAsync(EmptyMessage.Ping)).Type);
    }

    [Fact]
    public async Task Connect_ServerFullWithOneWaitingConnection_NewcomerFromAnotherAddressTakesItsSlot()
    {
        await using var server = await TestServer.StartAsync("--PSSocketFtp:MaxConnections", "2");
        using var waiting = await RawClient.ConnectAsync(server.EndPoint);
        using var ready = await LimitsTests.ReadyClientAsync(server.EndPoint, IPAddress.Parse("127.0.0.2"));

        using var newcomer = await RawClient.ConnectAsync(server.EndPoint, local: IPAddress.Parse("127.0.0.3"));

        await waiting.ExpectClosedAsync();
        Assert.Equal(FrameType.Ok, (await ready.RequestAsync(EmptyMessage.Ping)).Type);
        Assert.Equal(FrameType.Ok, (await newcomer.RequestAsync(EmptyMessage.Ping)).Type);
    }
}
