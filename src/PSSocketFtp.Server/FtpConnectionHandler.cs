using Microsoft.AspNetCore.Connections;

namespace PSSocketFtp.Server;

/// <summary>Kestrel hands every accepted connection here; each gets its own <see cref="FtpSession"/>, so connections share nothing but the store.</summary>
internal sealed class FtpConnectionHandler(IFileStore store, FtpServerOptions options, TimeProvider timeProvider, ILogger<FtpSession> logger) : ConnectionHandler
{
    /// <inheritdoc />
    public override Task OnConnectedAsync(ConnectionContext connection) =>
        new FtpSession(connection, store, options, timeProvider, logger).RunAsync();
}
