using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server;

/// <summary>The server's settings, bound from the configuration section <see cref="SectionName"/> (and the <c>--root</c>, <c>--port</c>, <c>--bind</c> switches).</summary>
public sealed partial class FtpServerOptions
{
    /// <summary>The configuration section the options are read from.</summary>
    public const string SectionName = "PSSocketFtp";

    /// <summary>The folder that holds the served files, resolved against the current directory; created when missing.</summary>
    public string Root { get; set; } = "uploads";

    /// <summary>The TCP port to listen on; 0 lets the system choose one.</summary>
    public int Port { get; set; } = ProtocolConstants.DefaultPort;

    /// <summary>The local address to listen on.</summary>
    public string Bind { get; set; } = "127.0.0.1";

    /// <summary>
    /// How old an abandoned partial upload (also a resumable one) and the record of a committed resumable upload may get
    /// before the periodic sweep deletes them; a resume or a retry later than this starts over.
    /// </summary>
    public TimeSpan PartialMaxAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long a new connection may take to send its handshake before it is dropped.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
