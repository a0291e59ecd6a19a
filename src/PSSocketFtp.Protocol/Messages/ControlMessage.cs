namespace PSSocketFtp.Protocol.Messages;

/// <summary>
/// A request or an answer that travels as one control frame: its frame type and its fields. Each kind writes its own
/// fields here and reads them back with its own static <c>Read</c>, which applies the receiver's rules, so that which
/// fields go in which frame, and the checks on them, are written once for the client, the server and the test fakes.
/// </summary>
public abstract record ControlMessage
{
    /// <summary>The frame type this message travels in.</summary>
    public abstract FrameType Type { get; }

    /// <summary>Adds this message's fields to <paramref name="writer"/>, in the order the reference peers send them.</summary>
    public abstract FieldWriter WriteTo(FieldWriter writer);

    /// <summary>A writer holding this message as a frame of <paramref name="streamId"/>; <see cref="FieldWriter.ToFrame"/> finishes it.</summary>
    public FieldWriter ToWriter(uint streamId) => WriteTo(FieldWriter.ForFrame(Type, streamId));
}
