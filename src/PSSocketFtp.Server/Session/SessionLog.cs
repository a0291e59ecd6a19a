using System.Net;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server;

/// <summary>
/// Every line a connection logs, in one place (source-generated, as Kestrel's KestrelTrace). Text that came from the
/// client (user names, paths, upload ids, messages quoting them) is escaped with <see cref="ClientText"/> at the call
/// site, before it reaches these methods.
/// </summary>
internal static partial class SessionLog
{
    // Connection lifecycle.

    [LoggerMessage(1, LogLevel.Information, "{Peer} connected")]
    public static partial void Connected(ILogger logger, string peer);

    [LoggerMessage(2, LogLevel.Information, "{Peer} disconnected")]
    public static partial void Disconnected(ILogger logger, string peer);

    [LoggerMessage(3, LogLevel.Warning, "{Peer} broke the protocol: {Message}")]
    public static partial void BrokeProtocol(ILogger logger, string peer, ClientText message);

    [LoggerMessage(4, LogLevel.Debug, "{Peer} went away: {Message}")]
    public static partial void WentAway(ILogger logger, string peer, string message);

    [LoggerMessage(5, LogLevel.Error, "{Peer}: the session failed")]
    public static partial void SessionFailed(ILogger logger, Exception exception, string peer);

    [LoggerMessage(6, LogLevel.Warning, "{Peer} closed before it logged in or sent a request: its slot went to a new connection (limits {MaxConnections} in all, {MaxConnectionsPerAddress} per address)")]
    public static partial void SlotTaken(ILogger logger, EndPoint? peer, int maxConnections, int maxConnectionsPerAddress);

    // Handshake.

    [LoggerMessage(10, LogLevel.Information, "{Peer} sent no handshake within {Timeout}; dropped")]
    public static partial void NoHandshake(ILogger logger, string peer, TimeSpan timeout);

    [LoggerMessage(11, LogLevel.Warning, "{Peer} is not a PSSocketFtp client: {Message}")]
    public static partial void NotAClient(ILogger logger, string peer, string message);

    [LoggerMessage(12, LogLevel.Warning, "{Peer} refused: too many connections (limits {MaxConnections} in all, {MaxConnectionsPerAddress} per address)")]
    public static partial void TooManyConnections(ILogger logger, string peer, int maxConnections, int maxConnectionsPerAddress);

    [LoggerMessage(13, LogLevel.Warning, "{Peer} speaks protocol versions {Min}-{Max}, none of which this server speaks")]
    public static partial void NoCommonVersion(ILogger logger, string peer, byte min, byte max);

    // Read limits (ReadDeadlines.cs).

    [LoggerMessage(20, LogLevel.Warning, "{Peer} did not log in within {LoginTimeout}; closed")]
    public static partial void NoLogin(ILogger logger, string peer, TimeSpan loginTimeout);

    [LoggerMessage(21, LogLevel.Information, "{Peer} sent no request within {LoginTimeout}; closed")]
    public static partial void NoRequest(ILogger logger, string peer, TimeSpan loginTimeout);

    [LoggerMessage(22, LogLevel.Information, "{Peer} took longer than {FrameTimeout} to send one frame; closed")]
    public static partial void SlowFrame(ILogger logger, string peer, TimeSpan frameTimeout);

    [LoggerMessage(23, LogLevel.Information, "{Peer} sent nothing for {IdleTimeout}; closed")]
    public static partial void Idle(ILogger logger, string peer, TimeSpan idleTimeout);

    // Logins.

    [LoggerMessage(30, LogLevel.Debug, "{Peer}: refused a {Type} before a login")]
    public static partial void RefusedBeforeLogin(ILogger logger, string peer, FrameType type);

    [LoggerMessage(31, LogLevel.Warning, "{Peer}: the login as {User} was not checked: too many logins at once, in all or from its address; answered ServerBusy")]
    public static partial void LoginNotChecked(ILogger logger, string peer, ClientText user);

    [LoggerMessage(32, LogLevel.Information, "{Peer} logged in as {User}")]
    public static partial void LoggedIn(ILogger logger, string peer, ClientText user);

    [LoggerMessage(33, LogLevel.Warning, "{Peer} failed to log in as {User} (failure {Failures} on this connection)")]
    public static partial void LoginFailed(ILogger logger, string peer, ClientText user, int failures);

    [LoggerMessage(34, LogLevel.Warning, "{Peer}: {Failures} failed logins; closing the connection")]
    public static partial void TooManyLoginFailures(ILogger logger, string peer, int failures);

    // Requests.

    [LoggerMessage(40, LogLevel.Information, "deleted {Path} for {Peer}")]
    public static partial void Deleted(ILogger logger, ClientText path, string peer);

    [LoggerMessage(41, LogLevel.Information, "sent {Path} ({Length} bytes) to {Peer}")]
    public static partial void Sent(ILogger logger, ClientText path, long length, string peer);

    [LoggerMessage(42, LogLevel.Information, "answered a retry of upload {UploadId} ({Path}) for {Peer} from its record")]
    public static partial void RetryAnswered(ILogger logger, ClientText uploadId, ClientText path, string peer);

    [LoggerMessage(43, LogLevel.Information, "refused an upload to {Path} ({Length} bytes) from {Peer}: {Status}")]
    public static partial void UploadRefused(ILogger logger, ClientText path, long length, string peer, FtpStatus status);

    [LoggerMessage(44, LogLevel.Information, "{Peer} resumes upload {UploadId} at byte {Offset} of {Length}")]
    public static partial void UploadResumed(ILogger logger, string peer, ClientText uploadId, long offset, long length);

    [LoggerMessage(45, LogLevel.Information, "received {Path} ({Length} bytes) from {Peer}")]
    public static partial void Received(ILogger logger, ClientText path, long length, string peer);

    [LoggerMessage(46, LogLevel.Warning, "{Peer}: could not delete a partial upload")]
    public static partial void PartialNotDeleted(ILogger logger, Exception exception, string peer);

    [LoggerMessage(47, LogLevel.Information, "made folder {Path} for {Peer}")]
    public static partial void MadeFolder(ILogger logger, ClientText path, string peer);

    [LoggerMessage(48, LogLevel.Information, "moved {Path} to {Target} for {Peer}")]
    public static partial void Moved(ILogger logger, ClientText path, ClientText target, string peer);

    // Request failures that leave the connection usable.

    [LoggerMessage(50, LogLevel.Error, "{Peer}: request on stream {Stream} for {Path} failed")]
    public static partial void RequestFailed(ILogger logger, Exception exception, string peer, uint stream, ClientText path);

    [LoggerMessage(51, LogLevel.Debug, "{Peer}: stream {Stream} answered {Status}: {Message}")]
    public static partial void RequestRefused(ILogger logger, string peer, uint stream, FtpStatus status, ClientText message);

    [LoggerMessage(52, LogLevel.Warning, "{Peer}: stream {Stream} refused, {Limit} requests are in flight on the connection already")]
    public static partial void TooManyStreams(ILogger logger, string peer, uint stream, int limit);
}
