namespace PSSocketFtp.Protocol.Messages;

/// <summary>
/// The sender's side of <see cref="EntriesAnswer"/>: fills one ENTRIES frame after another with as many whole entries
/// as fit in a control frame, so a listing of any size streams without being held in memory.
/// </summary>
/// <example>
/// <code>
/// var batch = new EntriesBatch(stream);
/// foreach (var entry in listing)
/// {
///     if (!batch.TryAdd(entry))
///     {
///         Send(batch.Frame);
///         batch.Next();
///     }
/// }
/// if (!batch.IsEmpty) Send(batch.Frame);
/// Send(new ListEndAnswer(batch.Count).ToWriter(stream));
/// </code>
/// </example>
public sealed class EntriesBatch
{
    // Each field costs 3 header bytes (tag and length) on top of its value.
    private const int FieldHeaderSize = 3;
    private readonly FieldWriter _entry = FieldWriter.ForFields();
    private bool _pending;

    /// <summary>Starts the first frame of a listing on <paramref name="streamId"/>.</summary>
    public EntriesBatch(uint streamId) => Frame = FieldWriter.ForFrame(FrameType.Entries, streamId);

    /// <summary>The frame being filled; send it when <see cref="TryAdd"/> says it is full, and at the end unless <see cref="IsEmpty"/>.</summary>
    public FieldWriter Frame { get; }

    /// <summary>Whether the frame being filled holds no entry.</summary>
    public bool IsEmpty => Frame.Fields.Length == 0;

    /// <summary>Entries added so far, over all frames: the listing's count.</summary>
    public long Count { get; private set; }

    /// <summary>
    /// Adds <paramref name="entry"/> to the frame when it fits. False when the frame is full: send <see cref="Frame"/>,
    /// then call <see cref="Next"/>, which starts the next frame with this entry. An empty frame always takes the entry.
    /// </summary>
    public bool TryAdd(RemoteEntry entry)
    {
        _entry.Reset();
        entry.WriteTo(_entry);
        if (!IsEmpty && Frame.Fields.Length + FieldHeaderSize + _entry.Fields.Length > ProtocolConstants.MaxControlPayload)
        {
            _pending = true;
            return false;
        }
        Append();
        return true;
    }

    /// <summary>Empties the frame (sent by now) and puts in it the entry that <see cref="TryAdd"/> found no room for.</summary>
    /// <exception cref="InvalidOperationException">No entry is waiting for room: <see cref="TryAdd"/> did not return false.</exception>
    public void Next()
    {
        if (!_pending)
        {
            throw new InvalidOperationException("No entry is waiting for the next frame.");
        }
        _pending = false;
        Frame.Reset();
        Append();
    }

    private void Append()
    {
        Frame.Add(FieldTag.Entry, _entry);
        Count++;
    }
}
