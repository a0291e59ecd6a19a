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
            fields.Add((tag, offset, length));
            offset += length;
        }
        return new FieldSet(payload, fields);
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

    private ReadOnlyMemory<byte>? TryGetFixed(FieldTag tag, int size)
    {
        int i = IndexOf(tag);
        if (i < 0)
        {
            return null;
        }
        var value = Value(i);
        return value.Length == size ? value : throw FtpException.Malformed($"Field {tag} must be {size} bytes, not {value.Length}.");
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

    private static string DecodeString(FieldTag tag, ReadOnlyMemory<byte> value)
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

    private static FtpException Missing(FieldTag tag) => FtpException.Malformed($"Required field {tag} is missing.");
}
