using Microsoft.AspNetCore.Connections;

namespace PSSocketFtp.Server;

/// <summary>Kestrel hands every accepted connection here; each gets its own <see cref="FtpSession"/>, so connections share nothing but the store.</summary>
internal sealed class FtpConnectionHandler(IFileStore store, FtpServerOptions options, TimeProvider timeProvider, ILogger<FtpSession> logger, ConnectionLimiter limiter, StorageGuard storage, LoginGuard logins) : ConnectionHandler
{
    /// <inheritdoc />
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        // Over a limit the session still answers the handshake (ServerBusy) before it closes.
        using var lease = limiter.TryAcquire(connection.RemoteEndPoint);
        await new FtpSession(connection, store, options, timeProvider, logger, storage, admitted: lease is not null, logins).RunAsync();
    }
}
