using Microsoft.AspNetCore.Connections;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server;

/// <summary>Which failures end a request, which end the connection, and what a failed request was about.</summary>
internal static class SessionFailures
{
    public static FtpException Malformed(string what) => new(FtpStatus.MalformedFrame, $"The client sent {what}.");

    public static bool IsConnectionEnd(Exception e) => e is ConnectionEndedException or ConnectionResetException or ConnectionAbortedException or OperationCanceledException
        || (e is IOException && e.InnerException is System.Net.Sockets.SocketException);

    /// <summary>Failures that end only the request: everything but a broken protocol or a vanished connection.</summary>
    public static bool IsRequestFailure(Exception e) => !IsConnectionEnd(e) && e is not FtpException { IsProtocolViolation: true };

    /// <summary>What a failed request was about: the path the failure names (an upload's target, say), else the request's.</summary>
    public static string Subject(Exception e, string path) => (e as FtpException)?.RemotePath ?? path;
}
