namespace PSSocketFtp.Protocol;

/// <summary>The type byte of a frame header. Requests are below 0x10, bodies 0x10-0x1F, responses 0x80 and above.</summary>
public enum FrameType : byte
{
    /// <summary>List a folder (or one file); answered by <see cref="Entries"/> frames and a final <see cref="Ok"/>.</summary>
    List = 0x01,
    /// <summary>Describe one item; answered by <see cref="Ok"/> with the item's fields.</summary>
    Stat = 0x02,
    /// <summary>Delete a file or folder.</summary>
    Delete = 0x03,
    /// <summary>Start an upload; answered by <see cref="Ready"/>, then the client sends the body.</summary>
    Upload = 0x04,
    /// <summary>Start a download; answered by <see cref="Ready"/> and the body.</summary>
    Download = 0x05,
    /// <summary>End the session; answered by <see cref="Ok"/>, then the server closes the connection.</summary>
    Bye = 0x06,
    /// <summary>Check that the peer is alive; answered by <see cref="Ok"/>.</summary>
    Ping = 0x07,
    /// <summary>Compute a remote file's hash; answered by <see cref="Ok"/> with the hash.</summary>
    Hash = 0x08,
    /// <summary>
    /// Log in with <see cref="FieldTag.UserName"/> and <see cref="FieldTag.Password"/>, right after the handshake;
    /// answered by <see cref="Ok"/>, or by <see cref="Error"/> with <see cref="FtpStatus.Unauthorized"/>.
    /// </summary>
    Auth = 0x09,
    /// <summary>
    /// Create a folder and its missing parents; answered by <see cref="Ok"/> with the folder's fields, as for
    /// <see cref="Stat"/>. An existing folder is <see cref="FtpStatus.AlreadyExists"/> unless <see cref="FieldTag.ExistingOk"/>.
    /// </summary>
    MakeFolder = 0x0A,
    /// <summary>
    /// Rename or move a file or folder inside the root, atomically; answered by <see cref="Ok"/> with the moved item's
    /// fields, as for <see cref="Stat"/>. An item at the target is <see cref="FtpStatus.AlreadyExists"/> unless
    /// <see cref="FieldTag.Replace"/>, which replaces a file (or an empty folder by a folder), never a folder with content.
    /// </summary>
    Rename = 0x0B,

    /// <summary>A piece of a file body. Its payload is raw bytes, not fields.</summary>
    Data = 0x10,
    /// <summary>Ends a file body; its fields are the body's trailer.</summary>
    End = 0x11,

    /// <summary>The request succeeded; final for its stream except for <see cref="Ready"/> flows.</summary>
    Ok = 0x80,
    /// <summary>The request failed; always final for its stream. Stream id 0 means the connection is closing.</summary>
    Error = 0x81,
    /// <summary>A batch of listing entries.</summary>
    Entries = 0x82,
    /// <summary>The server accepts a transfer; the body follows.</summary>
    Ready = 0x83,
}

/// <summary>Flag bits of a frame header. Version 1 defines none; receivers ignore unknown bits.</summary>
[Flags]
public enum FrameFlags : byte
{
    /// <summary>No flags.</summary>
    None = 0,
}
