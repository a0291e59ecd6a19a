namespace PSSocketFtp.Protocol.Messages;

/// <summary>The OK that ends a listing, after its <see cref="EntriesAnswer"/> frames.</summary>
/// <param name="Count">How many entries the listing had; null when the server left it out (the client does not need it).</param>
public sealed record ListEndAnswer(long? Count) : ControlMessage
{
    /// <inheritdoc />
    public override FrameType Type => FrameType.Ok;

    /// <inheritdoc />
    public override FieldWriter WriteTo(FieldWriter writer) => Count is { } count ? writer.Add(FieldTag.Count, count) : writer;

    /// <summary>Reads the end of a listing.</summary>
    /// <exception cref="FtpException">With <see cref="FtpStatus.MalformedFrame"/>: the count is not 8 bytes.</exception>
    public static ListEndAnswer Read(FieldSet fields) => new(fields.TryGetInt64(FieldTag.Count));
}
