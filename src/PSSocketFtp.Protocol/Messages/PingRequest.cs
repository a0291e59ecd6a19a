namespace PSSocketFtp.Protocol.Messages;

/// <summary>PING: is the peer alive; the server answers with its software (<see cref="PingAnswer"/>). It carries no fields.</summary>
public sealed record PingRequest : ControlMessage
{
    private PingRequest()
    {
    }

    /// <summary>The one PING.</summary>
    public static PingRequest Instance { get; } = new();

    /// <inheritdoc />
    public override FrameType Type => FrameType.Ping;

    /// <inheritdoc />
    public override FieldWriter WriteTo(FieldWriter writer) => writer;

    /// <summary>Reads a PING: any fields it carries are unknown ones, skipped.</summary>
    public static PingRequest Read(FieldSet fields) => Instance;
}
