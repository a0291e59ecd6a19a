namespace PSSocketFtp.Protocol.Messages;

/// <summary>OK to a STAT, or to a MKDIR (the folder it made or found): the item's own fields, as in a listing entry.</summary>
/// <param name="Entry">The item.</param>
public sealed record StatAnswer(RemoteEntry Entry) : ControlMessage
{
    /// <inheritdoc />
    public override FrameType Type => FrameType.Ok;

    /// <inheritdoc />
    public override FieldWriter WriteTo(FieldWriter writer) => Entry.WriteTo(writer);

    /// <summary>Reads the answer to a STAT as the client does.</summary>
    /// <exception cref="FtpException">With <see cref="FtpStatus.MalformedFrame"/>: a field is missing or malformed.</exception>
    public static StatAnswer Read(FieldSet fields) => new(RemoteEntry.ReadFrom(fields));
}
