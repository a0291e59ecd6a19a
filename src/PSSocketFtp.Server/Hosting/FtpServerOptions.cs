using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server;

/// <summary>The server's settings, bound from the configuration section <see cref="SectionName"/> (and the <c>--root</c>, <c>--port</c>, <c>--bind</c> switches).</summary>
public sealed partial class FtpServerOptions
{
    /// <summary>The configuration section the options are read from.</summary>
    public const string SectionName = "PSSocketFtp";

    /// <summary>The folder that holds the served files, resolved against the current directory; created when missing.</summary>
    public string Root { get; set; } = "uploads";

    /// <summary>
    /// The S3 store: with its <see cref="S3StoreOptions.Bucket"/> set the files live there and <see cref="Root"/>,
    /// <see cref="FreeSpaceReserve"/> and <see cref="Quota"/> do not apply (docs/scale-out.md).
    /// </summary>
    public S3StoreOptions S3 { get; set; } = new();

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

    /// <summary>How many connections the server holds at once; one more is answered <see cref="FtpStatus.ServerBusy"/> in the handshake and closed.</summary>
    public int MaxConnections { get; set; } = 1000;

    /// <summary>How many connections one client address may hold at once; one more is answered <see cref="FtpStatus.ServerBusy"/> and closed.</summary>
    public int MaxConnectionsPerAddress { get; set; } = 100;

    /// <summary>How long a connection may wait between requests (or in the middle of one) without sending a byte before it is closed.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long after its handshake a connection has to log in (a server with users) or to send its first whole request
    /// (an anonymous server); until then this, not <see cref="IdleTimeout"/>, bounds how long it is held, whatever it sends.
    /// </summary>
    public TimeSpan LoginTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one frame (a request, or a DATA or END frame of a body) may take to arrive from its first byte to its last.</summary>
    public TimeSpan FrameTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>The largest file an UPLOAD may announce; a larger one is answered <see cref="FtpStatus.FileTooLarge"/>.</summary>
    public long MaxFileSize { get; set; } = 64L << 30;

    /// <summary>How many bytes the files under the root may take in all (0: no quota); an upload that would pass it is answered <see cref="FtpStatus.InsufficientStorage"/>.</summary>
    public long Quota { get; set; }

    /// <summary>Free space on the root's drive that uploads must leave; an upload that would eat into it is answered <see cref="FtpStatus.InsufficientStorage"/>.</summary>
    public long FreeSpaceReserve { get; set; } = 1L << 30;

    /// <summary>
    /// How far ahead of the bytes received an upload reserves room (against <see cref="Quota"/> and free space): the most
    /// one connection holds (or one DATA frame, when that is larger). Room is reserved as the body arrives, so an upload that announces much and sends little
    /// keeps nobody else out; one that finds no room for its next window is answered <see cref="FtpStatus.InsufficientStorage"/> then.
    /// </summary>
    public long UploadReserveWindow { get; set; } = 4L << 20;

    /// <summary>How much room the uploads of one client address may hold reserved in all; past it an upload reserves only the DATA frame it is receiving.</summary>
    public long MaxReservedPerAddress { get; set; } = 64L << 20;

    /// <summary>Stop when standard input ends (<c>--stop-on-input-end</c>): the parent that started the server holds it open, so the server ends with that parent.</summary>
    public bool StopOnInputEnd { get; set; }

    /// <summary>Write the line <c>PSSOCKETFTP_PORT=&lt;port&gt;</c> to standard output once listening (<c>--print-port</c>), for a parent that asked for port 0.</summary>
    public bool PrintPort { get; set; }

    /// <summary>How long a stopping server lets transfers in flight finish before it cuts them (a resumable upload keeps its partial).</summary>
    public TimeSpan ShutdownGracePeriod { get; set; } = TimeSpan.FromSeconds(30);
}
