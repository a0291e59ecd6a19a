namespace PSSocketFtp.Protocol.Messages;

/// <summary>
/// A request or answer without fields: BYE, PING, and the OK that answers BYE, DELETE and AUTH. It has no rules to own;
/// any fields it carries are unknown ones, which a receiver skips.
/// </summary>
public sealed record EmptyMessage : ControlMessage
{
    private readonly FrameType _type;

    private EmptyMessage(FrameType type) => _type = type;

    /// <summary>BYE: end the session; the server answers <see cref="Ok"/> and closes the connection.</summary>
    public static EmptyMessage Bye { get; } = new(FrameType.Bye);

    /// <summary>PING: is the peer alive; the server answers with its software (<see cref="PingAnswer"/>).</summary>
    public static EmptyMessage Ping { get; } = new(FrameType.Ping);

    /// <summary>OK without fields: the answer to BYE, DELETE and AUTH.</summary>
    public static EmptyMessage Ok { get; } = new(FrameType.Ok);

    /// <inheritdoc />
    public override FrameType Type => _type;

    /// <inheritdoc />
    public override FieldWriter WriteTo(FieldWriter writer) => writer;
}
