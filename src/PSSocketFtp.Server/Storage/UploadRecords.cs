using System.Text;
using System.Text.Json;

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
            File.AppendAllText(_journal, JsonSerializer.Serialize(record, StoreJsonContext.Default.UploadRecord) + "\n", Utf8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Kept in memory only: after a restart a retry of this upload is stored as a new upload.
        }
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
}
