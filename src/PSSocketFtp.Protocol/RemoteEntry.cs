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
    public static RemoteEntry ReadFrom(FieldSet fields)
    {
        byte kind = fields.TryGetByte(FieldTag.Kind) ?? throw new FtpException(FtpStatus.MalformedFrame, "An entry has no kind.");
        if (kind > (byte)ItemKind.Directory)
        {
            throw new FtpException(FtpStatus.MalformedFrame, $"An entry has an unknown kind {kind}.");
        }
        long length = fields.GetInt64(FieldTag.Length);
        if (length < 0)
        {
            throw new FtpException(FtpStatus.MalformedFrame, "An entry has a negative length.");
        }
        long time = fields.TryGetInt64(FieldTag.LastWriteTime) ?? 0;
        return new RemoteEntry(fields.GetString(FieldTag.Path), (ItemKind)kind, length, UnixTime.Clamped(time));
    }
}
