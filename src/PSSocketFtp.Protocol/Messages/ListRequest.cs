namespace PSSocketFtp.Protocol.Messages;

/// <summary>LIST: a folder's children (everything below it with <paramref name="Recursive"/>), or a file itself.</summary>
/// <param name="Path">The remote path as sent; the root when empty.</param>
/// <param name="Recursive">Whether to list everything below the folder.</param>
public sealed record ListRequest(string Path, bool Recursive = false) : ControlMessage, IPathRequest
{
    /// <inheritdoc />
    public override FrameType Type => FrameType.List;

    /// <inheritdoc />
    public override FieldWriter WriteTo(FieldWriter writer) => writer.Add(FieldTag.Path, Path).Add(FieldTag.Recursive, Recursive);

    /// <summary>Reads a LIST as the server does.</summary>
    /// <exception cref="FtpException">With <see cref="FtpStatus.MalformedFrame"/>: a field is malformed.</exception>
    public static ListRequest Read(FieldSet fields) => new(RequestRules.Path(fields), fields.GetBoolean(FieldTag.Recursive));
}
