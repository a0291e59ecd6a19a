namespace PSSocketFtp.Protocol.Messages;

/// <summary>HASH: the hash of a whole remote file.</summary>
/// <param name="Path">The remote file as sent.</param>
/// <param name="HashAlgorithm">The algorithm; <see cref="FtpHashAlgorithm.XxHash128"/> when the request names none.</param>
public sealed record HashRequest(string Path, FtpHashAlgorithm HashAlgorithm = FtpHashAlgorithm.XxHash128) : ControlMessage, IPathRequest
{
    /// <inheritdoc />
    public override FrameType Type => FrameType.Hash;

    /// <inheritdoc />
    public override FieldWriter WriteTo(FieldWriter writer) => writer.Add(FieldTag.Path, Path).Add(FieldTag.HashAlgorithm, TransferHash.WireName(HashAlgorithm));

    /// <summary>Reads a HASH as the server does.</summary>
    /// <exception cref="FtpException">
    /// With <see cref="FtpStatus.MalformedFrame"/>: a field is malformed; with <see cref="FtpStatus.HashMismatch"/> (ends
    /// only the request, <see cref="FtpException.RemotePath"/> set to the path): the algorithm is not known.
    /// </exception>
    public static HashRequest Read(FieldSet fields)
    {
        string path = RequestRules.Path(fields);
        RequestRules.CheckRecursive(fields);
        return new HashRequest(path, RequestRules.HashAlgorithm(fields, path) ?? FtpHashAlgorithm.XxHash128);
    }
}
