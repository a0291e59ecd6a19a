namespace PSSocketFtp.Protocol.Messages;

/// <summary>BYE: end the session; the server answers OK and closes the connection. It carries no fields.</summary>
public sealed record ByeRequest : ControlMessage
{
    private ByeRequest()
    {
    }

    /// <summary>The one BYE.</summary>
    public static ByeRequest Instance { get; } = new();

    /// <inheritdoc />
    public override FrameType Type => FrameType.Bye;

    /// <inheritdoc />
    public override FieldWriter WriteTo(FieldWriter writer) => writer;

    /// <summary>Reads a BYE: any fields it carries are unknown ones, skipped.</summary>
    public static ByeRequest Read(FieldSet fields) => Instance;
}
