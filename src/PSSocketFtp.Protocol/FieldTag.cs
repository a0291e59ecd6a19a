namespace PSSocketFtp.Protocol;

/// <summary>Tags of the fields inside control frames. Receivers skip tags they do not know.</summary>
public enum FieldTag : byte
{
    /// <summary>A remote path (UTF-8).</summary>
    Path = 0x01,
    /// <summary>Whether to recurse (one byte, 0 or 1).</summary>
    Recursive = 0x02,
    /// <summary>A length in bytes (signed 64-bit).</summary>
    Length = 0x03,
    /// <summary>What to do when an upload's name exists (<see cref="ConflictMode"/>, one byte).</summary>
    Conflict = 0x04,
    /// <summary>The leaf name to use when an upload's path names a folder (UTF-8).</summary>
    FileName = 0x05,
    /// <summary>The byte offset a body starts at (signed 64-bit).</summary>
    Offset = 0x06,
    /// <summary>Last write time, milliseconds since the Unix epoch, UTC (signed 64-bit).</summary>
    LastWriteTime = 0x07,
    /// <summary>The kind of an item (<see cref="ItemKind"/>, one byte).</summary>
    Kind = 0x08,
    /// <summary>Whether the server stored an upload under another name (one byte, 0 or 1).</summary>
    Renamed = 0x09,
    /// <summary>A count (signed 64-bit).</summary>
    Count = 0x0A,
    /// <summary>An <see cref="FtpStatus"/> (unsigned 16-bit).</summary>
    Status = 0x0B,
    /// <summary>A human-readable message (UTF-8).</summary>
    Message = 0x0C,
    /// <summary>The name and version of the peer's software (UTF-8).</summary>
    Software = 0x0D,
    /// <summary>The client's id of an upload (UTF-8, 1-64 of A-Z a-z 0-9 - _): the same id resumes the same partial file.</summary>
    UploadId = 0x0E,
    /// <summary>Set (1 byte, 1) when the request repeats one whose answer was lost, so the server may answer from its record.</summary>
    Retry = 0x0F,
    /// <summary>The hash algorithm of a transfer or HASH request (UTF-8 name, see <see cref="TransferHash"/>).</summary>
    HashAlgorithm = 0x10,
    /// <summary>A hash value (raw bytes).</summary>
    Hash = 0x11,
    /// <summary>The user name of an AUTH request (UTF-8).</summary>
    UserName = 0x12,
    /// <summary>The password of an AUTH request (UTF-8); it travels in clear unless the connection uses TLS.</summary>
    Password = 0x13,
    /// <summary>Set (1 byte, 1) when a MKDIR may find its folder already there and answer it as made.</summary>
    ExistingOk = 0x14,
    /// <summary>The path a RENAME moves its item to (UTF-8, as <see cref="Path"/>).</summary>
    Target = 0x15,
    /// <summary>Set (1 byte, 1) when a RENAME may replace a file at its target.</summary>
    Replace = 0x16,
    /// <summary>One listing entry: its value is itself a field list.</summary>
    Entry = 0x30,
}

/// <summary>The kind of a remote item.</summary>
public enum ItemKind : byte
{
    /// <summary>A file.</summary>
    File = 0,
    /// <summary>A folder.</summary>
    Directory = 1,
}

/// <summary>What an upload does when its name exists on the server.</summary>
public enum ConflictMode : byte
{
    /// <summary>Store under the first free name <c>name_1.ext</c>, <c>name_2.ext</c>, ….</summary>
    Rename = 0,
    /// <summary>Replace the existing file.</summary>
    Overwrite = 1,
    /// <summary>Refuse the upload with <see cref="FtpStatus.AlreadyExists"/>.</summary>
    Fail = 2,
}
