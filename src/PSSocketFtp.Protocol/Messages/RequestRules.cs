namespace PSSocketFtp.Protocol.Messages;

/// <summary>The checks that several requests share, with the wording the server has always answered them in.</summary>
internal static class RequestRules
{
    /// <summary>The request's path as sent; the root when absent.</summary>
    public static string Path(FieldSet fields) => fields.TryGetString(FieldTag.Path) ?? string.Empty;

    /// <summary>
    /// The request's hash algorithm, or null. An unknown name ends only the request (<see cref="FtpStatus.HashMismatch"/>,
    /// about <paramref name="path"/>): the frame itself is well-formed, so the connection stays usable.
    /// </summary>
    public static FtpHashAlgorithm? HashAlgorithm(FieldSet fields, string path)
    {
        if (fields.TryGetString(FieldTag.HashAlgorithm) is not { } name)
        {
            return null;
        }
        try
        {
            return TransferHash.Parse(name);
        }
        catch (FtpException e)
        {
            throw new FtpException(FtpStatus.HashMismatch, e.Message) { RemotePath = path };
        }
    }

    /// <summary>
    /// Refuses a <see cref="FieldTag.Recursive"/> other than 0 or 1 on a request that does not use it: the server has
    /// always read it on every path request, and a malformed boolean is a protocol error wherever it stands.
    /// </summary>
    public static void CheckRecursive(FieldSet fields) => fields.GetBoolean(FieldTag.Recursive);

    /// <summary>A request that a well-behaved client never sends: fatal for the connection.</summary>
    public static FtpException Malformed(string what) => FtpException.Malformed($"The client sent {what}.");
}
