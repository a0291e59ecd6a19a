namespace PSSocketFtp.Protocol.Messages;

/// <summary>STAT: describe one item.</summary>
/// <param name="Path">The remote path as sent; the root when empty.</param>
public sealed record StatRequest(string Path) : ControlMessage, IPathRequest
{
    /// <inheritdoc />
    public override FrameType Type => FrameType.Stat;

    /// <inheritdoc />
    public override FieldWriter WriteTo(FieldWriter writer) => writer.Add(FieldTag.Path, Path);

    /// <summary>Reads a STAT as the server does.</summary>
    /// <exception cref="FtpException">With <see cref="FtpStatus.MalformedFrame"/>: a field is malformed.</exception>
    public static StatRequest Read(FieldSet fields)
    {
        string path = RequestRules.Path(fields);
        RequestRules.CheckRecursive(fields);
        return new StatRequest(path);
    }
}
