namespace PSSocketFtp.Protocol.Messages;

/// <summary>
/// END: closes a body, in either direction, with its trailer: the whole file's hash when the transfer asked for one.
/// The algorithm is kept by its wire name: the receiver compares it with the one it expects.
/// </summary>
/// <param name="HashAlgorithm">The algorithm's wire name, or null.</param>
/// <param name="Hash">The whole file's hash, or null.</param>
public sealed record EndTrailer(string? HashAlgorithm = null, byte[]? Hash = null) : ControlMessage
{
    /// <summary>An END without a hash.</summary>
    public static EndTrailer Empty { get; } = new();

    /// <inheritdoc />
    public override FrameType Type => FrameType.End;

    /// <inheritdoc />
    public override FieldWriter WriteTo(FieldWriter writer)
    {
        if (HashAlgorithm is not null)
        {
            writer.Add(FieldTag.HashAlgorithm, HashAlgorithm);
        }
        return Hash is null ? writer : writer.Add(FieldTag.Hash, Hash);
    }

    /// <summary>Reads a body's trailer.</summary>
    /// <exception cref="FtpException">With <see cref="FtpStatus.MalformedFrame"/>: the algorithm is not valid UTF-8.</exception>
    public static EndTrailer Read(FieldSet fields) => new(fields.TryGetString(FieldTag.HashAlgorithm), fields.TryGetBytes(FieldTag.Hash));
}
