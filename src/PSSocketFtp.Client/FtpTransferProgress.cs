namespace PSSocketFtp.Client;

/// <summary>Progress of a running transfer.</summary>
public readonly struct FtpTransferProgress
{
    /// <summary>Creates a progress report.</summary>
    public FtpTransferProgress(long bytesTransferred, long totalBytes)
    {
        BytesTransferred = bytesTransferred;
        TotalBytes = totalBytes;
    }

    /// <summary>Bytes done so far.</summary>
    public long BytesTransferred { get; }

    /// <summary>Bytes in all.</summary>
    public long TotalBytes { get; }
}
