namespace PSSocketFtp.Protocol.Messages;

/// <summary>OK to a PING.</summary>
/// <param name="Software">The server's software name and version, or null when it sent none.</param>
public sealed record PingAnswer(string? Software) : ControlMessage
{
    /// <inheritdoc />
    public override FrameType Type => FrameType.Ok;

    /// <inheritdoc />
    public override FieldWriter WriteTo(FieldWriter writer) => Software is null ? writer : writer.Add(FieldTag.Software, Software);

    /// <summary>Reads the answer to a PING as the client does.</summary>
    /// <exception cref="FtpException">With <see cref="FtpStatus.MalformedFrame"/>: the software is not valid UTF-8.</exception>
    public static PingAnswer Read(FieldSet fields) => new(fields.TryGetString(FieldTag.Software));
}
