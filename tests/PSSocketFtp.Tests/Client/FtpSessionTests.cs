using PSSocketFtp.Client;
using PSSocketFtp.Protocol;
using PSSocketFtp.Tests.Support;

namespace PSSocketFtp.Tests.Client;

/// <summary>Each operation against a scripted server: what goes on the wire and what comes back.</summary>
public class FtpSessionTests
{
    private static readonly DateTimeOffset Time = new(2024, 3, 4, 5, 6, 7, TimeSpan.Zero);
    private readonly TestClock _clock = new();

    [Fact]
    public async Task ConnectAsync_Server_HandshakesAndPings()
    {
        await using var server = FakeServer.Start();

        using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();

        Assert.True(session.IsConnected);
        Assert.Equal(1, session.ProtocolVersion);
        Assert.Equal("FakeServer/1.0", session.ServerSoftware);
        Assert.Equal(FrameType.Ping, Assert.Single(server.Requests).Type);
        Assert.Equal(1u, server.Requests[0].StreamId);
    }

    /// <summary>Reports synchronously: <see cref="Progress{T}"/> would post to the thread pool and race the assertions.</summary>
    private sealed class SyncProgress(Action<FtpTransferProgress> report) : IProgress<FtpTransferProgress>
    {
        public void Report(FtpTransferProgress value) => report(value);
    }
}
