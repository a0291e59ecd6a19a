namespace PSSocketFtp.Protocol.Messages;

/// <summary>UPLOAD: start sending a file; the server answers READY (<see cref="ReadyAnswer"/>) or ERROR.</summary>
/// <param name="Path">The destination as sent: a folder (empty, ending with '/', or existing) or the file's own path.</param>
/// <param name="FileName">The leaf name used when <paramref name="Path"/> is a folder.</param>
/// <param name="Length">The body's length in bytes.</param>
/// <param name="Conflict">What to do when the name exists.</param>
/// <param name="UploadId">The client's id of a resumable upload (see <see cref="IsValidUploadId"/>), or null.</param>
/// <param name="Retry">Whether this repeats a request whose answer was lost, so the server may answer from its record.</param>
/// <param name="HashAlgorithm">The hash the body's trailer carries, or null for none.</param>
/// <param name="LastWriteTime">The time the stored file is to carry (to the millisecond, as on the wire), or null for the server's clock at commit.</param>
public sealed record UploadRequest(
    string Path,
    string? FileName,
    long Length,
    ConflictMode Conflict = ConflictMode.Rename,
    string? UploadId = null,
    bool Retry = false,
    FtpHashAlgorithm? HashAlgorithm = null,
    DateTimeOffset? LastWriteTime = null) : ControlMessage, IPathRequest
{
    /// <summary>The longest upload id, in characters.</summary>
    public const int MaxUploadIdLength = 64;

    /// <inheritdoc />
    public override FrameType Type => FrameType.Upload;

    /// <summary>The wire name of <see cref="HashAlgorithm"/> (as a store records it), or null.</summary>
    public string? HashAlgorithmName => HashAlgorithm is { } algorithm ? TransferHash.WireName(algorithm) : null;

    /// <inheritdoc />
    public override FieldWriter WriteTo(FieldWriter writer)
    {
        writer.Add(FieldTag.Path, Path);
        if (FileName is not null)
        {
            writer.Add(FieldTag.FileName, FileName);
        }
        writer.Add(FieldTag.Length, Length).Add(FieldTag.Conflict, (byte)Conflict);
        if (UploadId is not null)
        {
            writer.Add(FieldTag.UploadId, UploadId);
        }
        if (HashAlgorithm is { } algorithm)
        {
            writer.Add(FieldTag.HashAlgorithm, TransferHash.WireName(algorithm));
        }
        if (LastWriteTime is { } time)
        {
            writer.Add(FieldTag.LastWriteTime, time.ToUnixTimeMilliseconds());
        }
        // Absent means 0: a first try carries no Retry at all.
        return Retry ? writer.Add(FieldTag.Retry, true) : writer;
    }

    /// <summary>Whether an id follows the protocol's rule: 1-64 characters of <c>A-Z a-z 0-9 - _</c> (so it is a safe file name too).</summary>
    public static bool IsValidUploadId(string id) =>
        id.Length is >= 1 and <= MaxUploadIdLength && id.All(c => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_');

    /// <summary>
    /// Reads an UPLOAD as the server does, in the server's order, so that a request with several faults is answered
    /// for the same one as before.
    /// </summary>
    /// <exception cref="FtpException">
    /// With <see cref="FtpStatus.MalformedFrame"/> (fatal): <see cref="Length"/> missing or negative, an unknown
    /// <see cref="Conflict"/>, an <see cref="UploadId"/> outside the rule, a <see cref="LastWriteTime"/> outside the
    /// years 1-9999 (no client sends one; clamping it would store a time nobody sent), a malformed field. With
    /// <see cref="FtpStatus.HashMismatch"/> (ends only the request, <see cref="FtpException.RemotePath"/> set to the path):
    /// the hash algorithm is not known.
    /// </exception>
    public static UploadRequest Read(FieldSet fields)
    {
        string path = RequestRules.Path(fields);
        long length = fields.GetInt64(FieldTag.Length);
        byte conflict = fields.TryGetByte(FieldTag.Conflict) ?? (byte)ConflictMode.Rename;
        if (length < 0 || conflict > (byte)ConflictMode.Fail)
        {
            throw RequestRules.Malformed($"an UPLOAD with length {length} and conflict mode {conflict}");
        }
        string? uploadId = fields.TryGetString(FieldTag.UploadId);
        if (uploadId is not null && !IsValidUploadId(uploadId))
        {
            throw RequestRules.Malformed("an UPLOAD whose UploadId is not 1-64 characters of A-Z a-z 0-9 - _");
        }
        bool retry = fields.GetBoolean(FieldTag.Retry);
        long? time = fields.TryGetInt64(FieldTag.LastWriteTime);
        if (time is { } milliseconds && !UnixTime.IsInRange(milliseconds))
        {
            throw RequestRules.Malformed($"an UPLOAD whose LastWriteTime {milliseconds} lies outside the years 1-9999");
        }
        var algorithm = RequestRules.HashAlgorithm(fields, path);
        return new UploadRequest(path, fields.TryGetString(FieldTag.FileName), length, (ConflictMode)conflict, uploadId, retry, algorithm, time is { } t ? DateTimeOffset.FromUnixTimeMilliseconds(t) : null);
    }
}
