namespace PSSocketFtp.Protocol.Messages;

/// <summary>OK to a HASH. The algorithm is kept by its wire name: the client compares it with the one it asked for.</summary>
/// <param name="Path">The file's normalized path; null when the server left it out (the client then names the file it asked for).</param>
/// <param name="Length">The file's length.</param>
/// <param name="HashAlgorithm">The algorithm's wire name.</param>
/// <param name="Hash">The whole file's hash.</param>
public sealed record HashAnswer(string? Path, long Length, string HashAlgorithm, byte[] Hash) : ControlMessage
{
    /// <inheritdoc />
    public override FrameType Type => FrameType.Ok;

    /// <inheritdoc />
    public override FieldWriter WriteTo(FieldWriter writer)
    {
        if (Path is not null)
        {
            writer.Add(FieldTag.Path, Path);
        }
        return writer.Add(FieldTag.Length, Length).Add(FieldTag.HashAlgorithm, HashAlgorithm).Add(FieldTag.Hash, Hash);
    }

    /// <summary>Reads the answer to a HASH request for <paramref name="requested"/> as the client does.</summary>
    /// <exception cref="FtpException">
    /// With <see cref="FtpStatus.MalformedFrame"/>: the answer names another algorithm or carries no hash, the length is
    /// missing, or a field is malformed.
    /// </exception>
    public static HashAnswer Read(FieldSet fields, FtpHashAlgorithm requested)
    {
        string wire = TransferHash.WireName(requested);
        string answered = fields.TryGetString(FieldTag.HashAlgorithm) ?? wire;
        var hash = fields.TryGetBytes(FieldTag.Hash);
        if (answered != wire || hash is null || hash.Length == 0)
        {
            throw FtpException.Malformed($"The server answered a {wire} HASH request without a {wire} hash.");
        }
        return new HashAnswer(fields.TryGetString(FieldTag.Path), fields.GetInt64(FieldTag.Length), answered, hash);
    }
}
