namespace PSSocketFtp.Server;

/// <summary>The lines the PROXY protocol middleware logs, one per connection at most (source-generated, as <see cref="SessionLog"/>).</summary>
internal static partial class ProxyProtocolLog
{
    [LoggerMessage(60, LogLevel.Warning, "{Peer} is not a trusted proxy (PSSocketFtp:TrustedProxies) but PROXY protocol is on; closed without an answer")]
    public static partial void Untrusted(ILogger logger, string peer);

    [LoggerMessage(61, LogLevel.Warning, "{Peer} sent no valid PROXY protocol header ({Reason}); closed without an answer")]
    public static partial void BadHeader(ILogger logger, string peer, string reason);

    [LoggerMessage(62, LogLevel.Warning, "{Peer} sent no PROXY protocol header within {Timeout}; closed")]
    public static partial void NoHeader(ILogger logger, string peer, TimeSpan timeout);

    [LoggerMessage(63, LogLevel.Debug, "{Peer} closed before its PROXY protocol header ended")]
    public static partial void ClosedEarly(ILogger logger, string peer);

    [LoggerMessage(64, LogLevel.Debug, "{Proxy} passes on a connection from {Client}")]
    public static partial void Forwarded(ILogger logger, string proxy, string client);
}
