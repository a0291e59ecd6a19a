namespace PSSocketFtp.Protocol.Messages;

/// <summary>MKDIR: create a folder and its missing parents.</summary>
/// <param name="Path">The remote path as sent; the root when empty (which always exists).</param>
/// <param name="ExistingOk">Whether a folder already there is answered as made instead of <see cref="FtpStatus.AlreadyExists"/>; a file there is refused either way.</param>
public sealed record MakeFolderRequest(string Path, bool ExistingOk = false) : ControlMessage, IPathRequest
{
    /// <inheritdoc />
    public override FrameType Type => FrameType.MakeFolder;

    /// <inheritdoc />
    public override FieldWriter WriteTo(FieldWriter writer) => writer.Add(FieldTag.Path, Path).Add(FieldTag.ExistingOk, ExistingOk);

    /// <summary>Reads a MKDIR as the server does.</summary>
    /// <exception cref="FtpException">With <see cref="FtpStatus.MalformedFrame"/>: a field is malformed.</exception>
    public static MakeFolderRequest Read(FieldSet fields) => new(RequestRules.Path(fields), fields.GetBoolean(FieldTag.ExistingOk));
}
