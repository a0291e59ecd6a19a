namespace PSSocketFtp.Client;

/// <summary>
/// The size of a remote item, in bytes and in megabytes (the unit of the original <c>size</c> command): a file's own,
/// or a folder's as the total of the files in it and below.
/// </summary>
public sealed class FtpItemSize
{
    internal FtpItemSize(string path, long length, long fileCount)
    {
        Path = path;
        Length = length;
        FileCount = fileCount;
    }

    /// <summary>The item's remote path.</summary>
    public string Path { get; }

    /// <summary>Length in bytes: of a folder, the files' in it and below.</summary>
    public long Length { get; }

    /// <summary>The files <see cref="Length"/> adds up: 1 for a file, those in a folder and below for a folder.</summary>
    public long FileCount { get; }

    /// <summary>Length in megabytes (Length / 1MB).</summary>
    public double SizeMB => Length / (1024.0 * 1024.0);

    /// <inheritdoc />
    public override string ToString() => $"{Path}: {SizeMB:0.###} MB";
}
