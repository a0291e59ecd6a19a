namespace PSSocketFtp.Protocol;

/// <summary>Status codes carried by error frames and the handshake reply.</summary>
public enum FtpStatus : ushort
{
    /// <summary>Success.</summary>
    Ok = 0,
    /// <summary>A frame broke the protocol's rules; the connection is closed.</summary>
    MalformedFrame = 1,
    /// <summary>The peers share no protocol version.</summary>
    UnsupportedVersion = 2,
    /// <summary>The request type is not known to the server.</summary>
    UnknownRequest = 3,
    /// <summary>A frame was larger than allowed.</summary>
    FrameTooLarge = 4,
    /// <summary>The item does not exist.</summary>
    NotFound = 10,
    /// <summary>The item exists and the request said not to replace it.</summary>
    AlreadyExists = 11,
    /// <summary>The path is malformed, hostile or leaves the server's root.</summary>
    InvalidPath = 12,
    /// <summary>A folder was expected.</summary>
    NotADirectory = 13,
    /// <summary>A file was expected.</summary>
    IsADirectory = 14,
    /// <summary>The folder has content and the request was not recursive.</summary>
    DirectoryNotEmpty = 15,
    /// <summary>The server may not touch this item.</summary>
    AccessDenied = 16,
    /// <summary>
    /// The server requires a login and the connection has none: an AUTH failed (wrong user name or password, not told
    /// apart), or another request came before a successful AUTH.
    /// </summary>
    Unauthorized = 17,
    /// <summary>The server's disk is full.</summary>
    InsufficientStorage = 20,
    /// <summary>The body's length differs from the length announced.</summary>
    LengthMismatch = 22,
    /// <summary>The body's hash differs from the hash its sender computed: the bytes were damaged on the way.</summary>
    HashMismatch = 23,
    /// <summary>The server is too busy to serve this request.</summary>
    ServerBusy = 30,
    /// <summary>Something failed on the server that the client cannot fix.</summary>
    InternalError = 99,
}
