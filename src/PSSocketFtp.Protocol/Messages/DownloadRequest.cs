namespace PSSocketFtp.Protocol.Messages;

/// <summary>
/// DOWNLOAD: a remote file's bytes; the server answers READY (<see cref="ReadyAnswer"/>), the body and END. A client that
/// holds the file's start asks for the rest with <paramref name="Offset"/>, <paramref name="Length"/> and
/// <paramref name="LastWriteTime"/>, which say which file that start belongs to.
/// </summary>
/// <param name="Path">The remote file as sent.</param>
/// <param name="HashAlgorithm">The hash the body's trailer is to carry, or null for none.</param>
/// <param name="Offset">Where the client would like the body to start; 0 for the whole file.</param>
/// <param name="Length">The length of the file the client holds the start of, or null.</param>
/// <param name="LastWriteTime">That file's last write time, milliseconds since the Unix epoch (as on the wire), or null.</param>
public sealed record DownloadRequest(string Path, FtpHashAlgorithm? HashAlgorithm = null, long Offset = 0, long? Length = null, long? LastWriteTime = null) : ControlMessage, IPathRequest
{
    /// <inheritdoc />
    public override FrameType Type => FrameType.Download;

    /// <inheritdoc />
    public override FieldWriter WriteTo(FieldWriter writer)
    {
        writer.Add(FieldTag.Path, Path);
        if (HashAlgorithm is { } algorithm)
        {
            writer.Add(FieldTag.HashAlgorithm, TransferHash.WireName(algorithm));
        }
        if (Offset != 0)
        {
            writer.Add(FieldTag.Offset, Offset);
        }
        if (Length is { } length)
        {
            writer.Add(FieldTag.Length, length);
        }
        return LastWriteTime is { } time ? writer.Add(FieldTag.LastWriteTime, time) : writer;
    }

    /// <summary>
    /// Where the body starts for <paramref name="file"/>: <see cref="Offset"/> only when the client's start still belongs
    /// to this very file (the same length, the same time to the millisecond, and the offset within it); else 0, the whole file.
    /// </summary>
    public long ResumeOffset(RemoteEntry file) =>
        Offset <= file.Length && Length == file.Length && LastWriteTime == file.LastWriteTimeUtc.ToUnixTimeMilliseconds() ? Offset : 0;

    /// <summary>Reads a DOWNLOAD as the server does, in the server's order.</summary>
    /// <exception cref="FtpException">
    /// With <see cref="FtpStatus.MalformedFrame"/> (fatal): a negative <see cref="Offset"/>, a malformed field. With
    /// <see cref="FtpStatus.HashMismatch"/> (ends only the request, <see cref="FtpException.RemotePath"/> set to the path):
    /// the hash algorithm is not known.
    /// </exception>
    public static DownloadRequest Read(FieldSet fields)
    {
        string path = RequestRules.Path(fields);
        RequestRules.CheckRecursive(fields);
        var algorithm = RequestRules.HashAlgorithm(fields, path);
        long offset = fields.TryGetInt64(FieldTag.Offset) ?? 0;
        if (offset < 0)
        {
            throw RequestRules.Malformed($"a DOWNLOAD at offset {offset}");
        }
        return new DownloadRequest(path, algorithm, offset, fields.TryGetInt64(FieldTag.Length), fields.TryGetInt64(FieldTag.LastWriteTime));
    }
}
