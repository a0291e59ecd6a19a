namespace PSSocketFtp.Protocol.Messages;

/// <summary>RENAME: move a file or folder to another path inside the root, atomically.</summary>
/// <param name="Path">The item's remote path as sent; the root when empty (which cannot move).</param>
/// <param name="Target">The path the item moves to, as sent: its parent folder must exist.</param>
/// <param name="Replace">Whether a file at the target is replaced instead of <see cref="FtpStatus.AlreadyExists"/>; a folder with content never is.</param>
public sealed record RenameRequest(string Path, string Target, bool Replace = false) : ControlMessage, IPathRequest
{
    /// <inheritdoc />
    public override FrameType Type => FrameType.Rename;

    /// <inheritdoc />
    public override FieldWriter WriteTo(FieldWriter writer) => writer.Add(FieldTag.Path, Path).Add(FieldTag.Target, Target).Add(FieldTag.Replace, Replace);

    /// <summary>Reads a RENAME as the server does.</summary>
    /// <exception cref="FtpException">With <see cref="FtpStatus.MalformedFrame"/>: a field is malformed.</exception>
    public static RenameRequest Read(FieldSet fields) =>
        new(RequestRules.Path(fields), fields.TryGetString(FieldTag.Target) ?? string.Empty, fields.GetBoolean(FieldTag.Replace));
}
