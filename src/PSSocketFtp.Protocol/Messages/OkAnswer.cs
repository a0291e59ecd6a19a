namespace PSSocketFtp.Protocol.Messages;

/// <summary>OK without fields: the answer to BYE, DELETE and AUTH.</summary>
public sealed record OkAnswer : ControlMessage
{
    private OkAnswer()
    {
    }

    /// <summary>The one empty OK.</summary>
    public static OkAnswer Instance { get; } = new();

    /// <inheritdoc />
    public override FrameType Type => FrameType.Ok;

    /// <inheritdoc />
    public override FieldWriter WriteTo(FieldWriter writer) => writer;

    /// <summary>Reads an empty OK: any fields it carries are unknown ones, skipped.</summary>
    public static OkAnswer Read(FieldSet fields) => Instance;
}
