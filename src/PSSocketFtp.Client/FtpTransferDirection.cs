namespace PSSocketFtp.Client;

/// <summary>Which way a transfer went.</summary>
public enum FtpTransferDirection
{
    /// <summary>From this machine to the server.</summary>
    Upload,
    /// <summary>From the server to this machine.</summary>
    Download,
}
