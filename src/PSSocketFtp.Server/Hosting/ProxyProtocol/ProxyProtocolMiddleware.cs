using System.Buffers;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace PSSocketFtp.Server;

/// <summary>
/// Kestrel connection middleware, first on the listener (before TLS and the protocol's handshake) when
/// <see cref="FtpServerOptions.ProxyProtocol"/> is on: takes a PROXY protocol header off the start of each connection
/// from a trusted proxy and makes the client it names the connection's <see cref="BaseConnectionContext.RemoteEndPoint"/>,
/// which the limits, the login throttle and the log all read. Anything else is closed without an answer.
/// </summary>
internal sealed class ProxyProtocolMiddleware(ConnectionDelegate next, IReadOnlyList<IPNetwork> trusted, TimeSpan timeout, TimeProvider time, ILogger logger)
{
    /// <summary>The middleware for <see cref="Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions.Use(Func{ConnectionDelegate, ConnectionDelegate})"/>.</summary>
    public static ConnectionDelegate Create(ConnectionDelegate next, IServiceProvider services, FtpServerOptions options) =>
        new ProxyProtocolMiddleware(next, options.ProxyNetworks, options.HandshakeTimeout,
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILoggerFactory>().CreateLogger(FtpConnectionSession.LogCategory)).OnConnectedAsync;

    /// <summary>Reads the header, then hands the connection (its own bytes untouched) to the rest of the pipeline.</summary>
    public async Task OnConnectedAsync(ConnectionContext connection)
    {
        var proxy = connection.RemoteEndPoint;
        string peer = proxy?.ToString() ?? connection.ConnectionId;
        var address = ClientAddress.Of(proxy);
        if (!trusted.Any(network => network.Contains(address)))
        {
            // Anyone else could claim any address, and dodge every per-address limit with it.
            ProxyProtocolLog.Untrusted(logger, peer);
            return;
        }
        ProxyHeader header;
        // Not linked to ConnectionClosed: Kestrel fires that on the client's FIN, which may come with the header (a
        // health check sends it and closes at once), and the header must still be read. The input's end says enough.
        using (var deadline = new CancellationTokenSource(timeout, time))
        {
            try
            {
                header = await ReadHeaderAsync(connection, deadline.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                ProxyProtocolLog.NoHeader(logger, peer, timeout);
                return;
            }
            catch (Exception e) when (e is OperationCanceledException or IOException)
            {
                ProxyProtocolLog.ClosedEarly(logger, peer);
                return;
            }
        }
        switch (header.Status)
        {
            case ProxyHeaderStatus.Invalid:
                ProxyProtocolLog.BadHeader(logger, peer, header.Error!);
                return;
            case ProxyHeaderStatus.Incomplete:
                ProxyProtocolLog.ClosedEarly(logger, peer);
                return;
        }
        if (header.Source is { } client)
        {
            ProxyProtocolLog.Forwarded(logger, peer, client.ToString());
            connection.RemoteEndPoint = client;
        }
        await next(connection);
    }

    // Incomplete only when the connection's input ended before a whole header.
    private static async Task<ProxyHeader> ReadHeaderAsync(ConnectionContext connection, CancellationToken cancellationToken)
    {
        var input = connection.Transport.Input;
        while (true)
        {
            var read = await input.ReadAsync(cancellationToken);
            var buffer = read.Buffer;
            var header = Parse(buffer);
            if (header.Status == ProxyHeaderStatus.Parsed)
            {
                // Consumed and examined up to the header's end only: the bytes after it (the handshake, or TLS's
                // ClientHello) are still unread, and the next reader gets them at once.
                input.AdvanceTo(buffer.GetPosition(header.Length));
                return header;
            }
            input.AdvanceTo(buffer.Start, buffer.End);
            if (header.Status == ProxyHeaderStatus.Invalid || read.IsCompleted || read.IsCanceled)
            {
                return header;
            }
        }
    }

    private static ProxyHeader Parse(ReadOnlySequence<byte> buffer)
    {
        var start = buffer.Slice(0, Math.Min(buffer.Length, ProxyHeaderParser.MaxLength));
        if (start.IsSingleSegment)
        {
            return ProxyHeaderParser.Parse(start.FirstSpan);
        }
        Span<byte> bytes = stackalloc byte[ProxyHeaderParser.MaxLength];
        start.CopyTo(bytes);
        return ProxyHeaderParser.Parse(bytes[..(int)start.Length]);
    }
}
