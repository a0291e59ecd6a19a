using Microsoft.AspNetCore.Connections;

namespace PSSocketFtp.Server;

/// <summary>Kestrel hands every accepted connection here; each gets its own <see cref="FtpConnectionSession"/>, so connections share nothing but the store.</summary>
internal sealed class FtpConnectionHandler(IFileStore store, FtpServerOptions options, TimeProvider timeProvider, ILoggerFactory loggers, ConnectionLimiter limiter, StorageGuard storage, LoginGuard logins) : ConnectionHandler
{
    private readonly ILogger _logger = loggers.CreateLogger(FtpConnectionSession.LogCategory);

    /// <inheritdoc />
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        // Over a limit the session still answers the handshake (ServerBusy) before it closes.
        using var lease = limiter.TryAcquire(connection.RemoteEndPoint, () =>
        {
            SessionLog.SlotTaken(_logger, connection.RemoteEndPoint, options.MaxConnections, options.MaxConnectionsPerAddress);
            connection.Abort(new ConnectionAbortedException("Its slot went to a new connection."));
        });
        await new FtpConnectionSession(connection, store, options, timeProvider, _logger, storage, admitted: lease is not null, logins, ready: lease is null ? null : lease.MarkReady).RunAsync();
    }
}
