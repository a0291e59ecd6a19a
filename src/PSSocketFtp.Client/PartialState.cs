namespace PSSocketFtp.Client;

/// <summary>
/// A download's partial file: its sidecar, read at each try and rewritten at each READY. A record of a short download
/// may stay in memory (<see cref="Write"/>) until the download ends without completing (<see cref="Persist"/>): a sidecar
/// created and deleted for every small file doubled the files a download creates, which cost more than the transfer.
/// </summary>
internal sealed class PartialState(string sidecarPath, string remote)
{
    /// <summary>
    /// Downloads with fewer bytes than this still to receive keep their record in memory while they run: only a crash
    /// of the process in the middle of one loses its resume, and it costs at most this much to fetch again.
    /// </summary>
    public const long InMemoryBelow = 1024 * 1024;

    // The latest record, when it is newer than the sidecar on disk (or there is none there).
    private PartialRecord? _unwritten;

    public string SidecarPath { get; } = sidecarPath;

    /// <summary>The record, when it is about this remote file.</summary>
    public PartialRecord? Read() => (_unwritten ?? PartialRecord.TryRead(SidecarPath)) is { } record && record.RemotePath == remote ? record : null;

    /// <summary>Records what the partial file is the start of: on disk at once, or with <paramref name="inMemory"/> only when the download ends incomplete.</summary>
    public void Write(PartialRecord record, bool inMemory)
    {
        if (inMemory)
        {
            _unwritten = record;
            return;
        }
        _unwritten = null;
        record.Write(SidecarPath);
    }

    public void Forget()
    {
        _unwritten = null;
        PartialFiles.TryDelete(SidecarPath);
    }

    /// <summary>Writes a record kept in memory, for a download that ends without completing and keeps its partial file.</summary>
    public void Persist()
    {
        if (_unwritten is { } record)
        {
            _unwritten = null;
            try
            {
                record.Write(SidecarPath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The download's own failure is what the caller must see; without a sidecar the next run starts over.
            }
        }
    }
}
