using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Microsoft.Win32.SafeHandles;

namespace PSSocketFtp.Server;

/// <summary>
/// What committed resumable uploads ended as, by upload id, so that a retry whose answer was lost is answered from the
/// record instead of storing a second copy. Kept in memory and in one append-only journal (<c>.psftp/uploads.log</c>,
/// one JSON line each): a file per record would cost every upload a file creation and deletion, which on a busy
/// file system costs more than the upload of a small file itself.
/// </summary>
/// <remarks>Not thread-safe on its own: <see cref="PartialUploads"/> calls it under its id lock.</remarks>
internal sealed class UploadRecords
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private readonly string _journal;
    private readonly Dictionary<string, UploadRecord> _records = new(StringComparer.Ordinal);
    // Cleared for good when this libc has no statx.
    private static bool s_keepOpen = OperatingSystem.IsLinux();
    // On Linux, the journal kept open between commits (see TryAppendKeptOpen).
    private SafeFileHandle? _append;

    /// <summary>Loads the journal at <paramref name="journal"/>; lines a crash cut short are skipped.</summary>
    public UploadRecords(string journal)
    {
        _journal = journal;
        if (!File.Exists(journal))
        {
            return;
        }
        string text = File.ReadAllText(journal, Utf8);
        foreach (string line in text.Split('\n'))
        {
            if (TryParse(line) is { } record)
            {
                _records[record.Id] = record;
            }
        }
        if (text.Length > 0 && text[^1] != '\n')
        {
            // A line cut short by a crash: end it, so that the next record starts a line of its own.
            File.AppendAllText(journal, "\n");
        }
    }

    /// <summary>
    /// The result of the committed upload <paramref name="id"/> when it was started with the values whose fingerprint is
    /// <paramref name="fingerprint"/>, else null (a record from before fingerprints were kept has none, and matches nothing).
    /// </summary>
    public UploadResult? Find(string id, string fingerprint) =>
        _records.TryGetValue(id, out var record) && string.Equals(record.Fingerprint, fingerprint, StringComparison.Ordinal) ? record.Result : null;

    /// <summary>
    /// Records a commit: in memory, and one line appended to the journal. The upload is in place already, so a journal
    /// that cannot be written (a full disk) must not fail it: the record then lasts until the server restarts.
    /// </summary>
    public void Add(string id, string fingerprint, UploadResult result, DateTimeOffset committed)
    {
        var record = new UploadRecord(id, committed, fingerprint, result);
        _records[id] = record;
        try
        {
            string line = JsonSerializer.Serialize(record, StoreJsonContext.Default.UploadRecord) + "\n";
            if (!TryAppendKeptOpen(Utf8.GetBytes(line)))
            {
                File.AppendAllText(_journal, line, Utf8);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Kept in memory only: after a restart a retry of this upload is stored as a new upload.
        }
    }

    /// <summary>
    /// Appends through a handle kept open, on Linux: two system calls (statx, pwrite) where File.AppendAllText takes
    /// six or seven (open, fstat, flock, lseek, write, close…) for every upload. A journal deleted behind the server's
    /// back (no link left) is opened again, so records never go to a file nobody can read; false when this cannot be
    /// done here, and the caller appends the portable way.
    /// </summary>
    private bool TryAppendKeptOpen(byte[] line)
    {
        if (!s_keepOpen)
        {
            return false;
        }
        try
        {
            for (int attempt = 0; attempt < 2; attempt++)
            {
                _append ??= File.OpenHandle(_journal, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
                if (LengthIfLinked(_append) is { } length)
                {
                    RandomAccess.Write(_append, line, length);
                    return true;
                }
                CloseJournal();
            }
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing appended through it is lost: the caller tries the portable way, which fails (or not) as it always did.
            CloseJournal();
            return false;
        }
    }

    /// <summary>The file's length; null when it has no name left (deleted while open).</summary>
    private static long? LengthIfLinked(SafeFileHandle handle)
    {
        const int AT_EMPTY_PATH = 0x1000;
        const uint STATX_NLINK = 0x4;
        const uint STATX_SIZE = 0x200;
        Span<byte> buffer = stackalloc byte[256];
        int result;
        try
        {
            result = statx((int)handle.DangerousGetHandle(), "", AT_EMPTY_PATH, STATX_NLINK | STATX_SIZE, ref MemoryMarshal.GetReference(buffer));
        }
        catch (EntryPointNotFoundException)
        {
            s_keepOpen = false;
            throw new IOException("statx is not available.");
        }
        if (result != 0)
        {
            throw new IOException($"statx failed (errno {Marshal.GetLastPInvokeError()}).");
        }
        uint links = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(buffer.Slice(16));
        return links == 0 ? null : System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(buffer.Slice(40));
    }

    /// <summary>Closes the journal kept open, if any; the next record opens it again. Under the id lock.</summary>
    public void CloseJournal()
    {
        _append?.Dispose();
        _append = null;
    }

    /// <summary>Forgets records committed before <paramref name="cutoff"/> and rewrites the journal without them.</summary>
    /// <returns>How many were forgotten.</returns>
    public int RemoveOlderThan(DateTimeOffset cutoff)
    {
        var old = _records.Values.Where(r => r.Committed < cutoff).Select(r => r.Id).ToList();
        if (old.Count == 0)
        {
            return 0;
        }
        foreach (string id in old)
        {
            _records.Remove(id);
        }
        // Beside, then renamed over: a crash leaves the old journal or the whole new one.
        // The handle kept open would go on appending to the journal replaced below.
        CloseJournal();
        string temporary = _journal + ".tmp";
        File.WriteAllLines(temporary, _records.Values.Select(r => JsonSerializer.Serialize(r, StoreJsonContext.Default.UploadRecord)), Utf8);
        File.Move(temporary, _journal, overwrite: true);
        return old.Count;
    }

    private static UploadRecord? TryParse(string line)
    {
        try
        {
            return JsonSerializer.Deserialize(line, StoreJsonContext.Default.UploadRecord) is { Id: not null, Result: not null } record ? record : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, ref byte buffer);
}
