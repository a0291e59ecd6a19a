namespace PSSocketFtp.Protocol.Messages;

/// <summary>
/// ENTRIES: one batch of a listing, one or more whole <see cref="FieldTag.Entry"/> fields. A sender fills each frame
/// with <see cref="EntriesBatch"/>; a receiver accepts any number of entries per frame.
/// </summary>
/// <param name="Entries">The batch's entries, in listing order.</param>
public sealed record EntriesAnswer(IReadOnlyList<RemoteEntry> Entries) : ControlMessage
{
    /// <inheritdoc />
    public override FrameType Type => FrameType.Entries;

    /// <inheritdoc />
    public override FieldWriter WriteTo(FieldWriter writer)
    {
        var nested = FieldWriter.ForFields();
        foreach (var entry in Entries)
        {
            nested.Reset();
            writer.Add(FieldTag.Entry, entry.WriteTo(nested));
        }
        return writer;
    }

    /// <summary>Reads a batch as the client does.</summary>
    /// <exception cref="FtpException">With <see cref="FtpStatus.MalformedFrame"/>: an entry is missing a field or malformed.</exception>
    public static EntriesAnswer Read(FieldSet fields) => new(fields.ReadEntries());
}
