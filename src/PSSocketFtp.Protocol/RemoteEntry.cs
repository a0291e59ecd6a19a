using System.Buffers.Binary;

namespace PSSocketFtp.Protocol;

/// <summary>One item as the server describes it in listings and STAT answers.</summary>
/// <param name="Path">The normalized remote path.</param>
/// <param name="Kind">File or folder.</param>
/// <param name="Length">Length in bytes; 0 for folders.</param>
/// <param name="LastWriteTimeUtc">When the item was last written.</param>
public sealed record RemoteEntry(string Path, ItemKind Kind, long Length, DateTimeOffset LastWriteTimeUtc)
{
    /// <summary>Adds this entry's fields to <paramref name="writer"/>.</summary>
    public FieldWriter WriteTo(FieldWriter writer) => writer
        .Add(FieldTag.Path, Path)
        .Add(FieldTag.Kind, (byte)Kind)
        .Add(FieldTag.Length, Length)
        .Add(FieldTag.LastWriteTime, LastWriteTimeUtc.ToUnixTimeMilliseconds());

    /// <summary>Reads an entry from its fields.</summary>
    /// <exception cref="FtpException">A field is missing or malformed.</exception>
    public static RemoteEntry ReadFrom(FieldSet fields) =>
        Read(fields.Find(FieldTag.Kind), fields.Find(FieldTag.Length), fields.Find(FieldTag.LastWriteTime), fields.Find(FieldTag.Path));

    /// <summary>
    /// An entry from the values of its fields (null where absent), checked in this order: the kind, the length, the time,
    /// the path; shared by <see cref="ReadFrom"/> and <see cref="FieldSet.ReadEntries"/>, which find the fields each its way.
    /// </summary>
    /// <exception cref="FtpException">A field is missing or malformed.</exception>
    internal static RemoteEntry Read(ReadOnlyMemory<byte>? kindField, ReadOnlyMemory<byte>? lengthField, ReadOnlyMemory<byte>? timeField, ReadOnlyMemory<byte>? pathField)
    {
        byte kind = FieldSet.Fixed(FieldTag.Kind, kindField, 1) is { } k ? k.Span[0] : throw new FtpException(FtpStatus.MalformedFrame, "An entry has no kind.");
        if (kind > (byte)ItemKind.Directory)
        {
            throw new FtpException(FtpStatus.MalformedFrame, $"An entry has an unknown kind {kind}.");
        }
        long length = FieldSet.Fixed(FieldTag.Length, lengthField, 8) is { } l ? BinaryPrimitives.ReadInt64BigEndian(l.Span) : throw FieldSet.Missing(FieldTag.Length);
        if (length < 0)
        {
            throw new FtpException(FtpStatus.MalformedFrame, "An entry has a negative length.");
        }
        long time = FieldSet.Fixed(FieldTag.LastWriteTime, timeField, 8) is { } t ? BinaryPrimitives.ReadInt64BigEndian(t.Span) : 0;
        string path = pathField is { } p ? FieldSet.DecodeString(FieldTag.Path, p) : throw FieldSet.Missing(FieldTag.Path);
        return new RemoteEntry(path, (ItemKind)kind, length, UnixTime.Clamped(time));
    }
}
