namespace PSSocketFtp.Protocol.Messages;

/// <summary>
/// OK to an UPLOAD, after its body (or at once, from the server's record, for a <see cref="UploadRequest.Retry"/>):
/// where the file went. The algorithm is kept by its wire name, as the server records it.
/// </summary>
/// <param name="Path">The final normalized remote path.</param>
/// <param name="Length">Bytes stored; null when the server left it out (which the client reports as <see cref="FtpStatus.LengthMismatch"/>).</param>
/// <param name="Renamed">Whether the duplicate-name rule chose another name.</param>
/// <param name="HashAlgorithm">The wire name of the hash the body was checked with, or null.</param>
/// <param name="Hash">The whole file's hash, or null.</param>
public sealed record UploadAnswer(string Path, long? Length, bool Renamed, string? HashAlgorithm = null, byte[]? Hash = null) : ControlMessage
{
    /// <inheritdoc />
    public override FrameType Type => FrameType.Ok;

    /// <inheritdoc />
    public override FieldWriter WriteTo(FieldWriter writer)
    {
        writer.Add(FieldTag.Path, Path);
        if (Length is { } length)
        {
            writer.Add(FieldTag.Length, length);
        }
        writer.Add(FieldTag.Renamed, Renamed);
        // The two go together: a hash is meaningless without its algorithm.
        return HashAlgorithm is not null && Hash is not null ? writer.Add(FieldTag.HashAlgorithm, HashAlgorithm).Add(FieldTag.Hash, Hash) : writer;
    }

    /// <summary>Reads the answer to an UPLOAD as the client does.</summary>
    /// <exception cref="FtpException">With <see cref="FtpStatus.MalformedFrame"/>: the path is missing, or a field is malformed.</exception>
    public static UploadAnswer Read(FieldSet fields) => new(
        fields.GetString(FieldTag.Path),
        fields.TryGetInt64(FieldTag.Length),
        fields.GetBoolean(FieldTag.Renamed),
        fields.TryGetString(FieldTag.HashAlgorithm),
        fields.TryGetBytes(FieldTag.Hash));
}
