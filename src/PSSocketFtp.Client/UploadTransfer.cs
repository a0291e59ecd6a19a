using System.Security.Cryptography;
using System.Text;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Client;

/// <summary>
/// One upload's protocol steps (UPLOAD, READY, the body with the file's hash in its trailer, the answer) and what it
/// keeps from one try to the next, run by the session's <see cref="OperationRunner"/>.
/// </summary>
internal sealed class UploadTransfer
{
    private readonly Stream _source;
    private readonly string _fileName;
    private readonly string _target;
    private readonly ConflictMode _conflict;
    private readonly FtpHashAlgorithm _algorithm;
    private readonly string _wire;
    private readonly IProgress<FtpTransferProgress>? _progress;
    private readonly string _localDescription;
    private readonly TimeProvider _clock;
    private readonly long _start;
    private readonly long _length;
    private readonly string _uploadId;
    private readonly DateTimeOffset? _lastWriteTime;
    private readonly long _began;

    // Set when an attempt sent END but never read the answer: the server may have stored the file, so the next
    // attempt asks with Retry = 1 and the server answers from its record instead of storing a second copy.
    private bool _answerLost;
    private byte[]? _sentHash;
    private long _sentFrom;

    private UploadTransfer(Stream source, string fileName, string? destination, ConflictMode conflict, FtpHashAlgorithm algorithm, IProgress<FtpTransferProgress>? progress, string localDescription, TimeProvider clock)
    {
        RemotePath.CheckName(fileName);
        _source = source;
        _fileName = fileName;
        _conflict = conflict;
        _algorithm = algorithm;
        _progress = progress;
        _localDescription = localDescription;
        _clock = clock;
        _wire = TransferHash.WireName(algorithm);
        _target = RemotePath.Normalize(destination);
        if (_target.Length > 0 && destination!.TrimEnd().EndsWith("/", StringComparison.Ordinal) | destination!.TrimEnd().EndsWith("\\", StringComparison.Ordinal))
        {
            // Tells the server the destination is a folder even when it does not exist yet.
            _target += "/";
        }
        _start = source.CanSeek ? source.Position : 0;
        _length = source.Length - _start;
        if (source is FileStream file)
        {
            // Read once: the id and the time the server stores name the same version of the file.
            var lastWriteTime = new DateTimeOffset(File.GetLastWriteTimeUtc(file.Name));
            _lastWriteTime = lastWriteTime;
            _uploadId = DeriveUploadId(file.Name, lastWriteTime, _start, _length, _target, fileName, conflict, algorithm);
        }
        else
        {
            // Resumable within this call's retries only, and stored with the server's time: a stream has no identity to find it again by, and no time.
            _uploadId = Guid.NewGuid().ToString("N");
        }
        _began = clock.GetTimestamp();
    }

    /// <summary>Uploads the rest of <paramref name="source"/> as <paramref name="fileName"/> into <paramref name="destination"/>.</summary>
    /// <remarks>Uploads of one id (the same file, destination and options) take turns, through <paramref name="ids"/>: they would share one partial file.</remarks>
    public static async Task<FtpTransferResult> RunAsync(OperationRunner runner, KeyedGate ids, TimeProvider clock, Stream source, string fileName, string? destination, ConflictMode conflict, FtpHashAlgorithm algorithm, IProgress<FtpTransferProgress>? progress, string localDescription, CancellationToken cancellationToken)
    {
        var transfer = new UploadTransfer(source, fileName, destination, conflict, algorithm, progress, localDescription, clock);
        using (await ids.EnterAsync(transfer._uploadId, cancellationToken).ConfigureAwait(false))
        {
            return await runner.RunAsync(transfer.TryAsync, cancellationToken).ConfigureAwait(false);
        }
    }

    // Read once per process: on Linux Environment.UserName reads the user database (an open of /etc/passwd) on every
    // call, which each upload of many small files paid.
    private static readonly Lazy<string> MachineAndUser = new(() => Environment.MachineName + "\n" + Environment.UserName);

    /// <summary>
    /// The id of an upload: the same local file (by path, length and time), the same destination and the same options
    /// on the same machine for the same user give the same id, so running an interrupted upload again resumes it.
    /// </summary>
    internal static string DeriveUploadId(string localPath, DateTimeOffset lastWriteTime, long start, long length, string target, string fileName, ConflictMode conflict, FtpHashAlgorithm algorithm)
    {
        string fullPath = Path.GetFullPath(localPath);
        long lastWrite = lastWriteTime.UtcTicks;
        string key = string.Join(
            "\n",
            MachineAndUser.Value,
            fullPath,
            start.ToString(System.Globalization.CultureInfo.InvariantCulture),
            length.ToString(System.Globalization.CultureInfo.InvariantCulture),
            lastWrite.ToString(System.Globalization.CultureInfo.InvariantCulture),
            target,
            fileName,
            ((int)conflict).ToString(System.Globalization.CultureInfo.InvariantCulture),
            TransferHash.WireName(algorithm));
        using var sha = SHA256.Create();
        return TransferHash.ToHex(sha.ComputeHash(Encoding.UTF8.GetBytes(key))).Substring(0, 32);
    }

    /// <summary>One try: asks to upload, sends what the server does not hold yet, and checks the answer.</summary>
    private async Task<FtpTransferResult> TryAsync(FtpConnection connection, Attempt attempt)
    {
        uint id = connection.NextStreamId();
        await connection.SendAsync(id, new UploadRequest(_target, _fileName, _length, _conflict, _uploadId, Retry: _answerLost, _algorithm, _lastWriteTime)).ConfigureAwait(false);
        var (type, fields) = await connection.ReadResponseAsync(id).ConfigureAwait(false);
        if (type == FrameType.Ok && _answerLost && _sentHash is not null)
        {
            // The lost answer, from the server's record: the body of an earlier attempt was stored whole.
            return Result(UploadAnswer.Read(fields), _sentHash, _sentFrom, attempt.Number, fromRecord: true);
        }
        if (type != FrameType.Ready)
        {
            throw new FtpException(FtpStatus.MalformedFrame, $"The server answered an upload with {type} where READY was expected.");
        }
        long offset = ReadyAnswer.ReadForUpload(fields, _length).Offset;
        _answerLost = false;
        attempt.Holds(offset);
        if (_source.CanSeek)
        {
            _source.Position = _start;
        }
        else
        {
            // Once read, a stream that cannot seek cannot be sent again: this is its only try.
            attempt.Final = true;
        }
        using var hash = TransferHash.Create(_algorithm);
        // The trailer's hash covers the whole file, also the prefix the server already holds.
        await LocalPrefix.HashAsync(connection, _source, offset, hash, attempt.Token).ConfigureAwait(false);
        if (offset > 0)
        {
            _progress?.Report(new FtpTransferProgress(offset, _length));
        }
        byte[] digest = await connection.SendBodyAsync(id, _source, _length - offset, hash, sent => attempt.Moved(_progress, offset + sent, _length), attempt.Token).ConfigureAwait(false);
        _sentHash = digest;
        _sentFrom = offset;
        UploadAnswer done;
        try
        {
            done = UploadAnswer.Read(await connection.ExpectAsync(id, FrameType.Ok).ConfigureAwait(false));
        }
        catch (Exception e) when (e is not FtpException || connection.IsBroken)
        {
            // Not an answer in good order (HashMismatch, LengthMismatch, a refusal): the answer was lost.
            _answerLost = true;
            throw;
        }
        return Result(done, digest, offset, attempt.Number, fromRecord: false);
    }

    // An OK says a file is stored; it counts only when it is this upload's: its length, and its hash when it has one.
    // Otherwise it is an error, not retried: the server holds a file under that answer, and another try could store a
    // second copy. From the record of a retry it means the server took another upload's record, by its id alone, for
    // this one's: this one is unconfirmed, and running it again sends it anew, since a first try asks no Retry.
    private FtpTransferResult Result(UploadAnswer done, byte[] digest, long resumedFrom, int attempts, bool fromRecord)
    {
        string stored = RemotePath.ToDisplay(done.Path);
        string answered = fromRecord
            ? $"The server answered the retried upload of '{_fileName}' from its record of '{stored}'"
            : $"The server stored '{_fileName}' as '{stored}'";
        string unconfirmed = fromRecord ? $" The upload of '{_fileName}' is not confirmed; run it again to send it anew." : string.Empty;
        long? storedLength = done.Length;
        byte[]? storedHash = done.Hash;
        var mismatch = storedLength != _length
            ? new FtpException(FtpStatus.LengthMismatch, $"{answered} with {(storedLength is { } n ? $"{n} bytes" : "no _length")}, but {_length} bytes were sent.{unconfirmed}") { RemotePath = stored }
            : storedHash is not null && !storedHash.AsSpan().SequenceEqual(digest)
                ? new FtpException(FtpStatus.HashMismatch, $"{answered} with hash {TransferHash.ToHex(storedHash)}, but {TransferHash.ToHex(digest)} was sent.{unconfirmed}") { RemotePath = stored }
                : null;
        if (mismatch is not null)
        {
            Resilience.MarkFinal(mismatch);
            throw mismatch;
        }
        return new FtpTransferResult(
            FtpTransferDirection.Upload,
            _localDescription,
            stored,
            _length,
            _clock.GetElapsedTime(_began),
            done.Renamed,
            _wire,
            TransferHash.ToHex(digest),
            resumedFrom,
            attempts);
    }
}
