using System.Buffers;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Framing;
using PSSocketFtp.Protocol.Messages;
using static PSSocketFtp.Server.SessionFailures;

namespace PSSocketFtp.Server;

/// <summary>
/// UPLOAD in three steps, each started by the connection's frame loop: <see cref="BeginUploadAsync"/> answers READY with
/// the offset to send from, <see cref="ReceiveDataAsync"/> stores each DATA payload as it comes, and
/// <see cref="FinishUploadAsync"/> checks the whole body at END and commits it.
/// </summary>
internal sealed partial class FtpConnectionSession
{
    /// <summary>
    /// Answers an UPLOAD up to READY, the stream then waiting for its body; or answers it whole (an error, or the record of
    /// a retry whose answer was lost).
    /// </summary>
    private async Task BeginUploadAsync(uint stream, FieldSet fields)
    {
        UploadRequest request;
        try
        {
            request = UploadRequest.Read(fields);
        }
        catch (FtpException e) when (IsRequestFailure(e))
        {
            // Well-formed but unusable (a hash algorithm this server does not know): ends only this request.
            await _frames.SendErrorAsync(stream, e, string.Empty);
            return;
        }
        var (path, length, uploadId, algorithm) = (request.Path, request.Length, request.UploadId, request.HashAlgorithm);
        IUploadSession? upload = null;
        UploadSpace? space = null;
        try
        {
            if (request.Retry && uploadId is not null && await _store.FindCommittedAsync(request, _aborted) is { } done)
            {
                // The answer to the first try was lost; the file is in place already.
                SessionLog.RetryAnswered(_logger, ClientText.Of(uploadId), ClientText.OfPath(done.Path), _peer);
                await _frames.SendAsync(stream, AnswerOf(done));
                return;
            }
            _storage?.CheckFileSize(length, path);
            upload = await _store.BeginUploadAsync(request, _aborted);
            space = _storage?.Begin(ClientAddress.Of(_connection.RemoteEndPoint), length - upload.Offset, path);
        }
        catch (Exception e) when (IsRequestFailure(e))
        {
            // A refused reservation leaves a resumable partial as it was.
            await EndUploadAsync(upload, space);
            SessionLog.UploadRefused(_logger, ClientText.OfPath(Subject(e, path)), length, _peer, ErrorMapping.ToStatus(e));
            await _frames.SendErrorAsync(stream, e, path);
            return;
        }

        var body = new UploadStream(stream, path, length, upload.Offset, upload, space, algorithm is { } algo ? TransferHash.Create(algo) : null);
        if (body.Hash is not null)
        {
            try
            {
                // The hash covers the whole file, so it starts with the bytes held from an earlier try.
                await upload.HashPrefixAsync(body.Hash, _aborted);
            }
            catch (Exception e) when (IsRequestFailure(e))
            {
                await EndUploadAsync(body);
                await _frames.SendErrorAsync(stream, e, path);
                return;
            }
        }
        if (body.Offset > 0)
        {
            SessionLog.UploadResumed(_logger, _peer, ClientText.Of(uploadId), body.Offset, length);
        }
        // Waiting for its body before READY goes out: the client's first DATA may come right after it.
        AwaitBody(body);
        await _frames.SendAsync(stream, new ReadyAnswer(body.Offset));
    }

    /// <summary>Checks the body that ended with <paramref name="trailer"/> and commits the file, or answers why not.</summary>
    private async Task FinishUploadAsync(UploadStream body, EndTrailer trailer)
    {
        using var _ = body;
        if (body.Upload is not { } upload)
        {
            // Writing failed part way; the ERROR went out then.
            return;
        }
        try
        {
            if (body.Received != body.Length)
            {
                await upload.DiscardAsync();
                throw new FtpException(FtpStatus.LengthMismatch, $"The body was {body.Received - body.Offset} bytes from offset {body.Offset}, not the {body.Length - body.Offset} announced.");
            }
            byte[]? actual = null;
            if (body.Hash is { } hash)
            {
                actual = hash.GetHash();
                byte[]? expected = trailer.Hash;
                if (expected is null || !actual.AsSpan().SequenceEqual(expected))
                {
                    // Damaged on the way, somewhere in the whole file: nothing of it can be trusted, so the next try starts at 0.
                    await upload.DiscardAsync();
                    throw new FtpException(FtpStatus.HashMismatch, expected is null
                        ? $"The upload announced {TransferHash.WireName(hash.Algorithm)} but its END carried no hash."
                        : $"The file's {TransferHash.WireName(hash.Algorithm)} hash differs from the client's: it was damaged on the way and has been discarded.");
                }
            }
            var result = await upload.CommitAsync(actual, _aborted);
            SessionLog.Received(_logger, ClientText.OfPath(result.Path), result.Length, _peer);
            await _frames.SendAsync(body.Stream, AnswerOf(result));
        }
        catch (Exception e) when (IsRequestFailure(e))
        {
            await _frames.SendErrorAsync(body.Stream, e, body.Path);
        }
        finally
        {
            await EndUploadAsync(body);
        }
    }

    private static UploadAnswer AnswerOf(UploadResult result) => new(result.Path, result.Length, result.Renamed, result.HashAlgorithm, result.Hash);

    /// <summary>
    /// Passes one DATA payload to the upload: in v1 as it arrives; from v2 on whole, once its checksum holds, so that a
    /// damaged payload is never written (the bytes before it stay, for a resume). After a write failure, reads and drops it.
    /// </summary>
    private async Task ReceiveDataAsync(FrameHeader header, UploadStream body)
    {
        int length = header.PayloadLength;
        bool whole = _frames.Version >= ProtocolConstants.ChecksumVersion;
        if (body.Space is { } space && length > 0)
        {
            try
            {
                // Room as the bytes come, never for the whole announced length at once (see StorageGuard); for the whole
                // payload (at most 1 MiB) before its first byte, so that it is checked once a frame, not once a pipe segment.
                space.Take(length);
            }
            catch (Exception e) when (IsRequestFailure(e))
            {
                await FailUploadAsync(body, e);
            }
        }
        if (whole && length > TransportMemoryPool.MaxReadBufferSize)
        {
            await ReceiveCopiedPayloadAsync(header, body);
            return;
        }
        while (length > 0)
        {
            var buffer = await ReadPayloadAsync(whole ? length : 0);
            var take = buffer.Slice(0, Math.Min(length, buffer.Length));
            if (whole)
            {
                try
                {
                    FrameReader.TryReadPayload(ref buffer, header, out take);
                }
                catch (FtpException)
                {
                    // The reader must be free again for the goodbye; the session then closes the connection.
                    _frames.AdvanceTo(take.End);
                    throw;
                }
            }
            // Measured now: once advanced past, the buffer's segments go back to the pool and 'take' means nothing.
            length -= (int)take.Length;
            var failure = await WritePayloadAsync(body, take);
            _frames.AdvanceTo(take.End);
            if (failure is not null)
            {
                await FailUploadAsync(body, failure);
            }
        }
    }

    /// <summary>
    /// A checked payload larger than the transport's pipe is meant to hold (<see cref="TransportMemoryPool.MaxReadBufferSize"/>).
    /// Waiting for it whole in the pipe would work, but would undo that bound: System.IO.Pipelines does not pause the
    /// socket's writer while a ReadAtLeastAsync waits for more than the pause threshold, and pauses it only when a write
    /// crosses the threshold from below, so past it the pipe grows as long as the client sends faster than the disk takes
    /// (a simulation of 1 MiB frames over a 320 KiB threshold buffered 121 MiB). Its bytes are copied out as they come
    /// into one rented buffer instead, the pipe advanced as they are, and checked there before any of them is written.
    /// </summary>
    private async Task ReceiveCopiedPayloadAsync(FrameHeader header, UploadStream body)
    {
        int length = header.PayloadLength;
        byte[] copy = ArrayPool<byte>.Shared.Rent(length);
        Exception? failure;
        try
        {
            for (int copied = 0; copied < length;)
            {
                var buffer = await ReadPayloadAsync(0);
                var take = buffer.Slice(0, Math.Min(length - copied, buffer.Length));
                take.CopyTo(copy.AsSpan(copied));
                copied += (int)take.Length;
                _frames.AdvanceTo(take.End);
            }
            // A damaged payload throws here, with the pipe already past it and free for the goodbye.
            var payload = new ReadOnlySequence<byte>(copy, 0, length);
            FrameReader.TryReadPayload(ref payload, header, out var checkedPayload);
            failure = await WritePayloadAsync(body, checkedPayload);
        }
        finally
        {
            // At once, not when the connection ends: up to 1 MiB per session that sends such frames.
            ArrayPool<byte>.Shared.Return(copy);
        }
        if (failure is not null)
        {
            await FailUploadAsync(body, failure);
        }
    }

    /// <summary>
    /// Reads on in a DATA payload: at least <paramref name="minimum"/> bytes, or (0) whatever has come. The connection
    /// ends when the client closes in the middle of the payload or the read is cancelled.
    /// </summary>
    private async ValueTask<ReadOnlySequence<byte>> ReadPayloadAsync(int minimum)
    {
        var result = await _frames.ReadInputAsync(minimum);
        var buffer = result.Buffer;
        if (result.IsCanceled || (result.IsCompleted && buffer.Length < Math.Max(minimum, 1)))
        {
            _frames.AdvanceTo(buffer.Start, buffer.End);
            throw new ConnectionEndedException(result.IsCanceled ? "the server is stopping" : "closed in the middle of a DATA frame");
        }
        return buffer;
    }

    /// <summary>
    /// Hashes and writes payload bytes, unless an earlier failure ended the upload; returns a failure to answer once the
    /// caller has given the bytes back to the pipe.
    /// </summary>
    private static async ValueTask<Exception?> WritePayloadAsync(UploadStream body, ReadOnlySequence<byte> payload)
    {
        if (body.Upload is not { } upload)
        {
            return null;
        }
        try
        {
            if (body.Hash is { } hash)
            {
                foreach (var segment in payload)
                {
                    hash.AppendInPlace(segment);
                }
            }
            // Not cancelled when the client goes away: every byte that arrived is one a resumed upload need not send again.
            await upload.WriteAsync(payload, CancellationToken.None);
            return null;
        }
        catch (Exception e) when (IsRequestFailure(e))
        {
            return e;
        }
    }

    /// <summary>Ends an upload that failed part way and answers at once; the rest of this stream's body is read and dropped up to its END.</summary>
    private async Task FailUploadAsync(UploadStream body, Exception failure)
    {
        var (upload, space) = body.Detach();
        await EndUploadAsync(upload, space);
        await _frames.SendErrorAsync(body.Stream, failure, body.Path);
    }

    /// <summary>Ends a stream's upload: a committed one is left alone, an unfinished one's partial file is deleted.</summary>
    private async ValueTask EndUploadAsync(UploadStream body)
    {
        var (upload, space) = body.Detach();
        await EndUploadAsync(upload, space);
        body.Dispose();
    }

    private async ValueTask EndUploadAsync(IUploadSession? upload, UploadSpace? space)
    {
        space?.Dispose();
        if (upload is null)
        {
            return;
        }
        try
        {
            await upload.DisposeAsync();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The sweep removes what is left; the client's answer does not depend on it.
            SessionLog.PartialNotDeleted(_logger, e, _peer);
        }
    }
}
