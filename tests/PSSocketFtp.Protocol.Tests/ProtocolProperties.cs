using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace PSSocketFtp.Protocol.Tests;

/// <summary>A string built from the pieces hostile paths are made of, so that the interesting cases come up often.</summary>
public sealed record PathLike(string Value)
{
    public override string ToString() => string.Concat(Value.Select(c => c < 0x20 || c > 0x7E ? $"\\u{(int)c:X4}" : c.ToString()));
}

/// <summary>Any field tag and a value of bytes, as a sender might put in a frame.</summary>
public sealed record RawField(byte Tag, byte[] Value);

/// <summary>The generators the properties below use.</summary>
public static class ProtocolArbitraries
{
    private static readonly string[] Pieces =
    [
        "a", "b", "x.txt", "..", ".", "/", "\\", "//", "．．", "．", "／", "＼", "\u2024\u2024", "\0", "\u0001", "\u001F", "\u007F", "\u0085",
        "C:", "c:\\", "\\\\server\\share\\", "NUL", "con.txt", "COM¹", "LPT9", ".psftp", ".PSFTP", "trailing.", "space ", "é", "e\u0301",
        "\uD800", "\uDC00", "😀", "\uFEFF", "*", "?", "<", "|", "\"", ":", new string('n', 300), "\u202E",
    ];

    public static Arbitrary<PathLike> PathLike() =>
        Gen.Frequency(
                (3, Gen.Elements(Pieces).ListOf().Select(parts => string.Concat(parts))),
                (1, ArbMap.Default.GeneratorFor<string>().Where(s => s is not null)))
            .Select(s => new PathLike(s))
            .ToArbitrary();

    public static Arbitrary<RawField> RawField() =>
        Gen.Choose(0, 255).SelectMany(tag => ArbMap.Default.GeneratorFor<byte[]>().Where(b => b is not null && b.Length <= 2000), (tag, value) => new RawField((byte)tag, value))
            .ToArbitrary();
}

[Properties(Arbitrary = [typeof(ProtocolArbitraries)], MaxTest = 500)]
public class ProtocolProperties
{
    [Property]
    public bool Normalize_AnyInput_RefusedOrCanonicalAndIdempotent(PathLike input)
    {
        string normalized;
        try
        {
            normalized = RemotePath.Normalize(input.Value);
        }
        catch (FtpException e) when (e.Status == FtpStatus.InvalidPath)
        {
            return !string.IsNullOrEmpty(e.Message);
        }
        return RemotePath.Normalize(normalized) == normalized
            && !normalized.StartsWith('/')
            && !normalized.EndsWith('/')
            && !normalized.Contains('\\')
            && !normalized.Any(c => c < 0x20 || c == 0x7F)
            && normalized.Split('/').All(s => s.Length > 0 || normalized.Length == 0)
            && normalized.Split('/').All(s => s != ".." && s != "." && s.Normalize(System.Text.NormalizationForm.FormKC) is not (".." or "."))
            && !normalized.Split('/')[0].Equals(RemotePath.ReservedRootName, StringComparison.OrdinalIgnoreCase)
            && System.Text.Encoding.UTF8.GetByteCount(normalized) <= ProtocolConstants.MaxPathBytes;
    }

    [Property]
    public bool Normalize_AnyInput_NeverThrowsAnythingButInvalidPath(string? input)
    {
        try
        {
            RemotePath.Normalize(input);
            return true;
        }
        catch (FtpException e)
        {
            return e.Status == FtpStatus.InvalidPath;
        }
    }

    [Property]
    public bool FrameHeader_WriteThenRead_SameHeader(byte type, uint streamId, byte flags, int length)
    {
        var header = new FrameHeader((FrameType)type, streamId, length, (FrameFlags)flags);
        int max = header.MaxPayload;
        header = new FrameHeader((FrameType)type, streamId, (int)((uint)length % (uint)(max + 1)), (FrameFlags)flags);
        var bytes = new byte[ProtocolConstants.HeaderSize];
        header.Write(bytes);

        var read = FrameHeader.Read(bytes);

        return read.Type == header.Type && read.StreamId == streamId && read.Flags == header.Flags && read.PayloadLength == header.PayloadLength;
    }

    [Property]
    public bool FrameHeader_AnyTenBytes_ReadOrFrameTooLarge(byte[] bytes)
    {
        var source = new byte[ProtocolConstants.HeaderSize];
        bytes.AsSpan(0, Math.Min(bytes.Length, source.Length)).CopyTo(source);
        uint length = BinaryPrimitives.ReadUInt32BigEndian(source);
        try
        {
            var header = FrameHeader.Read(source);
            return header.PayloadLength == length && length <= (uint)header.MaxPayload;
        }
        catch (FtpException e)
        {
            return e.Status == FtpStatus.FrameTooLarge && length > (uint)ProtocolConstants.MaxControlPayload;
        }
    }

    [Property]
    public bool FieldWriter_RawFields_ParseBackInOrder(RawField[] fields)
    {
        var writer = FieldWriter.ForFields();
        foreach (var field in fields)
        {
            writer.Add((FieldTag)field.Tag, field.Value);
        }
        var set = FieldSet.Parse(writer.Fields.ToArray());

        // The last occurrence of a tag wins.
        return fields.GroupBy(f => f.Tag).All(g => set.TryGetBytes((FieldTag)g.Key)!.SequenceEqual(g.Last().Value))
            && Enumerable.Range(0, 256).Where(t => fields.All(f => f.Tag != t)).All(t => !set.Contains((FieldTag)t));
    }

    [Property]
    public bool FieldWriter_TypedFieldsEitherVersion_RoundTrip(NonNull<string> text, long number, ushort status, byte kind, bool flag, bool checksummed)
    {
        string value = new string(text.Get.Where(c => !char.IsSurrogate(c)).ToArray());
        byte version = checksummed ? ProtocolConstants.ChecksumVersion : (byte)1;
        var frame = FieldWriter.ForFrame(FrameType.Ok, 7)
            .Add(FieldTag.Message, value).Add(FieldTag.Length, number).Add(FieldTag.Status, status).Add(FieldTag.Kind, kind).Add(FieldTag.Recursive, flag)
            .ToFrame(version).ToArray();

        var header = FrameHeader.Read(frame, version);
        int headerSize = FrameHeader.Size(version);
        header.CheckPayload(frame.AsSpan(headerSize));
        var set = FieldSet.Parse(frame.AsMemory(headerSize));

        return header.Type == FrameType.Ok && header.StreamId == 7 && header.PayloadLength == frame.Length - headerSize
            && set.GetString(FieldTag.Message) == value && set.GetInt64(FieldTag.Length) == number && set.TryGetUInt16(FieldTag.Status) == status
            && set.TryGetByte(FieldTag.Kind) == kind && set.GetBoolean(FieldTag.Recursive) == flag;
    }

    [Property]
    public bool FieldSet_AnyBytes_ParsesOrMalformed(byte[] payload)
    {
        try
        {
            var set = FieldSet.Parse(payload);
            // Reading any field as any type either works or says the frame is malformed.
            foreach (var tag in new[] { FieldTag.Path, FieldTag.Length, FieldTag.Kind, FieldTag.Status, FieldTag.Recursive, FieldTag.Entry })
            {
                Attempt(() => set.TryGetString(tag));
                Attempt(() => set.TryGetInt64(tag));
                Attempt(() => set.TryGetUInt16(tag));
                Attempt(() => set.GetBoolean(tag));
                Attempt(() => set.GetNested(tag).Select(RemoteEntry.ReadFrom).ToList());
            }
            return true;
        }
        catch (FtpException e)
        {
            return e.Status == FtpStatus.MalformedFrame;
        }
    }

    [Property]
    public bool RemoteEntry_WriteThenRead_SameEntry(NonNull<string> path, bool folder, NonNegativeInt length, long milliseconds)
    {
        string text = new string(path.Get.Where(c => !char.IsSurrogate(c)).ToArray());
        long time = Math.Clamp(milliseconds, -62135596800000L, 253402300799999L);
        var entry = new RemoteEntry(text, folder ? ItemKind.Directory : ItemKind.File, length.Get, DateTimeOffset.FromUnixTimeMilliseconds(time));
        var nested = entry.WriteTo(FieldWriter.ForFields());
        var frame = FieldWriter.ForFrame(FrameType.Entries, 1).Add(FieldTag.Entry, nested).Add(FieldTag.Entry, nested).ToFrame(1);

        var read = FieldSet.Parse(frame.Slice(ProtocolConstants.HeaderSize)).GetNested(FieldTag.Entry).Select(RemoteEntry.ReadFrom).ToList();

        return read.Count == 2 && read.All(e => e == entry);
    }

    private static void Attempt(Action read)
    {
        try
        {
            read();
        }
        catch (FtpException e) when (e.Status == FtpStatus.MalformedFrame)
        {
        }
    }
}
