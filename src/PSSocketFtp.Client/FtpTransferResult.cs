namespace PSSocketFtp.Client;

/// <summary>What a finished upload or download did.</summary>
public sealed class FtpTransferResult
{
    internal FtpTransferResult(FtpTransferDirection direction, string localPath, string remotePath, long length, TimeSpan duration, bool renamed, string algorithm, string hash, long resumedFrom, int attempts)
    {
        Algorithm = algorithm;
        Hash = hash;
        ResumedFrom = resumedFrom;
        Attempts = attempts;
        Direction = direction;
        LocalPath = localPath;
        RemotePath = remotePath;
        Length = length;
        Duration = duration;
        Renamed = renamed;
    }

    /// <summary>Upload or download.</summary>
    public FtpTransferDirection Direction { get; }

    /// <summary>The local file (or a description of the local stream).</summary>
    public string LocalPath { get; }

    /// <summary>The remote path; for uploads, the final name the server stored the file under.</summary>
    public string RemotePath { get; }

    /// <summary>Bytes transferred.</summary>
    public long Length { get; }

    /// <summary>How long the transfer took, retries included.</summary>
    public TimeSpan Duration { get; }

    /// <summary>For uploads: whether the server stored the file under another name because the name existed.</summary>
    public bool Renamed { get; }

    /// <summary>The hash algorithm the transfer was verified with, by its wire name: <c>XXH128</c> or <c>SHA256</c>.</summary>
    public string Algorithm { get; }

    /// <summary>The verified hash of the whole file, as upper-case hex (like Get-FileHash).</summary>
    public string Hash { get; }

    /// <summary>The byte offset the final, successful attempt started at: 0 when the transfer was not resumed.</summary>
    public long ResumedFrom { get; }

    /// <summary>How many tries the transfer took (1 when the first one succeeded).</summary>
    public int Attempts { get; }

    /// <summary>Average speed in bytes per second.</summary>
    public double BytesPerSecond => Duration > TimeSpan.Zero ? Length / Duration.TotalSeconds : 0;
}
