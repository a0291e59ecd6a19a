namespace PSSocketFtp.Protocol.Messages;

/// <summary>READY: the server accepts a transfer and the body follows, from <paramref name="Offset"/>.</summary>
/// <param name="Offset">Where the body starts: the bytes the receiving side already holds.</param>
/// <param name="Length">For a download, the file's length; null for an upload.</param>
/// <param name="LastWriteTime">For a download, the file's last write time, milliseconds since the Unix epoch (as on the wire); null for an upload.</param>
public sealed record ReadyAnswer(long Offset, long? Length = null, long? LastWriteTime = null) : ControlMessage
{
    /// <inheritdoc />
    public override FrameType Type => FrameType.Ready;

    /// <inheritdoc />
    public override FieldWriter WriteTo(FieldWriter writer)
    {
        writer.Add(FieldTag.Offset, Offset);
        if (Length is { } length)
        {
            writer.Add(FieldTag.Length, length);
        }
        return LastWriteTime is { } time ? writer.Add(FieldTag.LastWriteTime, time) : writer;
    }

    /// <summary>Reads the READY to an upload of <paramref name="length"/> bytes as the client does: an absent offset is 0.</summary>
    /// <exception cref="FtpException">With <see cref="FtpStatus.MalformedFrame"/>: the offset lies outside the file, or is malformed.</exception>
    public static ReadyAnswer ReadForUpload(FieldSet fields, long length)
    {
        long offset = fields.TryGetInt64(FieldTag.Offset) ?? 0;
        if (offset < 0 || offset > length)
        {
            throw FtpException.Malformed($"The server offered to resume at byte {offset} of a {length}-byte upload.");
        }
        return new ReadyAnswer(offset);
    }

    /// <summary>
    /// Reads the READY to a download as the client does: the length is required, and the body may start only where
    /// the client asked (<paramref name="held"/> bytes, which it holds) or earlier.
    /// </summary>
    /// <exception cref="FtpException">With <see cref="FtpStatus.MalformedFrame"/>: the length is missing, the offset impossible, or a field malformed.</exception>
    public static ReadyAnswer ReadForDownload(FieldSet fields, long held)
    {
        long length = fields.GetInt64(FieldTag.Length);
        long offset = fields.TryGetInt64(FieldTag.Offset) ?? 0;
        if (length < 0 || offset < 0 || offset > held || offset > length)
        {
            throw FtpException.Malformed($"The server offered a download of {length} bytes from byte {offset}, where {held} were asked to be skipped.");
        }
        return new ReadyAnswer(offset, length, fields.TryGetInt64(FieldTag.LastWriteTime));
    }
}
