using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace PSSocketFtp.Protocol;

/// <summary>The fields of one received control frame (or one nested entry), checked for well-formedness when parsed.</summary>
public sealed class FieldSet
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly ReadOnlyMemory<byte> _payload;
    private readonly List<(FieldTag Tag, int Offset, int Length)> _fields;

    private FieldSet(ReadOnlyMemory<byte> payload, List<(FieldTag, int, int)> fields)
    {
        _payload = payload;
        _fields = fields;
    }

    /// <summary>An empty field list.</summary>
    public static FieldSet Empty { get; } = new(ReadOnlyMemory<byte>.Empty, new());

    /// <summary>Splits a payload into fields. The set keeps a reference to <paramref name="payload"/>.</summary>
    /// <exception cref="FtpException">A field runs past the end of the payload.</exception>
    public static FieldSet Parse(ReadOnlyMemory<byte> payload)
    {
        var fields = new List<(FieldTag, int, int)>();
        var span = payload.Span;
        int offset = 0;
        while (offset < span.Length)
        {
            var (tag, start, length) = NextField(span, ref offset);
            fields.Add((tag, start, length));
        }
        return new FieldSet(payload, fields);
    }

    /// <summary>The field at <paramref name="offset"/> (its tag, where its value starts, its length), checked; moves past it.</summary>
    /// <exception cref="FtpException">The field runs past the end of <paramref name="span"/>.</exception>
    private static (FieldTag Tag, int Start, int Length) NextField(ReadOnlySpan<byte> span, ref int offset)
    {
        if (span.Length - offset < 3)
        {
            throw FtpException.Malformed("A field header is cut short.");
        }
        var tag = (FieldTag)span[offset];
        int length = BinaryPrimitives.ReadUInt16BigEndian(span.Slice(offset + 1));
        offset += 3;
        if (length > span.Length - offset)
        {
            throw FtpException.Malformed($"Field {tag} claims {length} bytes but only {span.Length - offset} remain.");
        }
        int start = offset;
        offset += length;
        return (tag, start, length);
    }

    /// <summary>
    /// Every <see cref="FieldTag.Entry"/> field read as a <see cref="RemoteEntry"/>, in order: what
    /// <c>GetNested(FieldTag.Entry).Select(RemoteEntry.ReadFrom)</c> reads, with the same checks and errors, but in one pass
    /// over each entry's bytes, without a field set, a list and an iterator per entry (most of a listing's decoding before).
    /// </summary>
    /// <exception cref="FtpException">With <see cref="FtpStatus.MalformedFrame"/>: an entry is missing a field or malformed.</exception>
    public List<RemoteEntry> ReadEntries()
    {
        var entries = new List<RemoteEntry>(_fields.Count);
        var payload = _payload.Span;
        for (int i = 0; i < _fields.Count; i++)
        {
            var (tag, start, length) = _fields[i];
            if (tag != FieldTag.Entry)
            {
                continue;
            }
            var entry = payload.Slice(start, length);
            // The last occurrence of each field wins, as with IndexOf; -1 where absent.
            int path = -1, kind = -1, size = -1, time = -1;
            int offset = 0;
            while (offset < entry.Length)
            {
                int at = offset;
                switch (NextField(entry, ref offset).Tag)
                {
                    case FieldTag.Path: path = at; break;
                    case FieldTag.Kind: kind = at; break;
                    case FieldTag.Length: size = at; break;
                    case FieldTag.LastWriteTime: time = at; break;
                }
            }
            var value = _payload.Slice(start, length);
            entries.Add(RemoteEntry.Read(FieldAt(value, kind), FieldAt(value, size), FieldAt(value, time), FieldAt(value, path)));
        }
        return entries;
    }

    // The value of the (already checked) field whose header is at offset, or null for -1.
    private static ReadOnlyMemory<byte>? FieldAt(ReadOnlyMemory<byte> fields, int offset) =>
        offset < 0 ? (ReadOnlyMemory<byte>?)null : fields.Slice(offset + 3, BinaryPrimitives.ReadUInt16BigEndian(fields.Span.Slice(offset + 1)));

    /// <summary>The value of the last <paramref name="tag"/> field, or null when absent.</summary>
    internal ReadOnlyMemory<byte>? Find(FieldTag tag)
    {
        int i = IndexOf(tag);
        // Typed: a bare null would turn into an empty ReadOnlyMemory (through its conversion from an array).
        return i < 0 ? (ReadOnlyMemory<byte>?)null : Value(i);
    }

    /// <summary>Whether the field is present.</summary>
    public bool Contains(FieldTag tag) => IndexOf(tag) >= 0;

    /// <summary>A required string field.</summary>
    /// <exception cref="FtpException">The field is missing or not valid UTF-8.</exception>
    public string GetString(FieldTag tag) => TryGetString(tag) ?? throw Missing(tag);

    /// <summary>An optional string field; null when absent.</summary>
    /// <exception cref="FtpException">The field is not valid UTF-8.</exception>
    public string? TryGetString(FieldTag tag)
    {
        int i = IndexOf(tag);
        return i < 0 ? null : DecodeString(tag, Value(i));
    }

    /// <summary>An optional field of raw bytes, such as <see cref="FieldTag.Hash"/>; null when absent.</summary>
    public byte[]? TryGetBytes(FieldTag tag)
    {
        int i = IndexOf(tag);
        return i < 0 ? null : Value(i).ToArray();
    }

    /// <summary>A required signed 64-bit field.</summary>
    public long GetInt64(FieldTag tag) => TryGetInt64(tag) ?? throw Missing(tag);

    /// <summary>An optional signed 64-bit field.</summary>
    public long? TryGetInt64(FieldTag tag) => TryGetFixed(tag, 8) is { } v ? BinaryPrimitives.ReadInt64BigEndian(v.Span) : null;

    /// <summary>An optional unsigned 16-bit field.</summary>
    public ushort? TryGetUInt16(FieldTag tag) => TryGetFixed(tag, 2) is { } v ? BinaryPrimitives.ReadUInt16BigEndian(v.Span) : null;

    /// <summary>An optional one-byte field.</summary>
    public byte? TryGetByte(FieldTag tag) => TryGetFixed(tag, 1) is { } v ? v.Span[0] : null;

    /// <summary>An optional boolean field; false when absent.</summary>
    public bool GetBoolean(FieldTag tag) => TryGetByte(tag) is { } b && b switch
    {
        0 => false,
        1 => true,
        _ => throw FtpException.Malformed($"Field {tag} must be 0 or 1, not {b}."),
    };

    /// <summary>Every occurrence of a repeated field, such as <see cref="FieldTag.Entry"/>, parsed as nested fields.</summary>
    public IEnumerable<FieldSet> GetNested(FieldTag tag)
    {
        foreach (var (t, offset, length) in _fields)
        {
            if (t == tag)
            {
                yield return Parse(_payload.Slice(offset, length));
            }
        }
    }

    private ReadOnlyMemory<byte>? TryGetFixed(FieldTag tag, int size) => Fixed(tag, Find(tag), size);

    /// <summary><paramref name="value"/> (a <paramref name="tag"/> field's, or null when absent) when it is <paramref name="size"/> bytes.</summary>
    /// <exception cref="FtpException">It is another size.</exception>
    internal static ReadOnlyMemory<byte>? Fixed(FieldTag tag, ReadOnlyMemory<byte>? value, int size)
    {
        if (value is not { } v)
        {
            return null;
        }
        return v.Length == size ? v : throw FtpException.Malformed($"Field {tag} must be {size} bytes, not {v.Length}.");
    }

    private int IndexOf(FieldTag tag)
    {
        // The last occurrence wins, so a sender can override a field without rewriting the frame.
        for (int i = _fields.Count - 1; i >= 0; i--)
        {
            if (_fields[i].Tag == tag)
            {
                return i;
            }
        }
        return -1;
    }

    private ReadOnlyMemory<byte> Value(int index) => _payload.Slice(_fields[index].Offset, _fields[index].Length);

    /// <summary>A string field's value, strict UTF-8.</summary>
    /// <exception cref="FtpException">It is not valid UTF-8.</exception>
    internal static string DecodeString(FieldTag tag, ReadOnlyMemory<byte> value)
    {
        try
        {
            // Straight from the frame's array (every payload the client and server parse is one): netstandard2.0's
            // GetString takes arrays only, and copying each string's bytes out first was half of decoding a listing.
            return MemoryMarshal.TryGetArray(value, out var bytes)
                ? StrictUtf8.GetString(bytes.Array!, bytes.Offset, bytes.Count)
                : StrictUtf8.GetString(value.ToArray());
        }
        catch (DecoderFallbackException e)
        {
            throw new FtpException(FtpStatus.MalformedFrame, $"Field {tag} is not valid UTF-8.", e);
        }
    }

    internal static FtpException Missing(FieldTag tag) => FtpException.Malformed($"Required field {tag} is missing.");
}
