namespace PSSocketFtp.Protocol.Messages;

/// <summary>DELETE: a file, or a folder (with content only when <paramref name="Recursive"/>).</summary>
/// <param name="Path">The remote path as sent.</param>
/// <param name="Recursive">Whether a folder's content goes too.</param>
public sealed record DeleteRequest(string Path, bool Recursive = false) : ControlMessage, IPathRequest
{
    /// <inheritdoc />
    public override FrameType Type => FrameType.Delete;

    /// <inheritdoc />
    public override FieldWriter WriteTo(FieldWriter writer) => writer.Add(FieldTag.Path, Path).Add(FieldTag.Recursive, Recursive);

    /// <summary>Reads a DELETE as the server does.</summary>
    /// <exception cref="FtpException">With <see cref="FtpStatus.MalformedFrame"/>: a field is malformed.</exception>
    public static DeleteRequest Read(FieldSet fields) => new(RequestRules.Path(fields), fields.GetBoolean(FieldTag.Recursive));
}
