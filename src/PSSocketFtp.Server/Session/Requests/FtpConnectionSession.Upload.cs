using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Framing;
using PSSocketFtp.Protocol.Messages;
using static PSSocketFtp.Server.SessionFailures;

namespace PSSocketFtp.Server;

/// <summary>UPLOAD: READY with the offset to send from, the body in DATA frames up to END, then the commit; the body receive loop is <see cref="ReceiveDataAsync"/>.</summary>
internal sealed partial class FtpConnectionSession
{
    // The upload in progress and the storage it reserved (Limits/StorageGuard.cs); both end with the request, or with the connection.
    private IUploadSession? _upload;
    private UploadSpace? _space;

    private async Task UploadAsync(uint stream, FieldSet fields)
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
            _upload = await _store.BeginUploadAsync(request, _aborted);
            _space = _storage?.Begin(ClientAddress.Of(_connection.RemoteEndPoint), length - _upload.Offset, path);
        }
        catch (Exception e) when (IsRequestFailure(e))
        {
            // A refused reservation leaves a resumable partial as it was.
            await DiscardUploadAsync();
            SessionLog.UploadRefused(_logger, ClientText.OfPath(Subject(e, path)), length, _peer, ErrorMapping.ToStatus(e));
            await _frames.SendErrorAsync(stream, e, path);
            return;
        }

        using var hash = algorithm is { } algo ? TransferHash.Create(algo) : null;
        long offset = _upload.Offset;
        if (hash is not null)
        {
            try
            {
                // The hash covers the whole file, so it starts with the bytes held from an earlier try.
                await _upload.HashPrefixAsync(hash, _aborted);
            }
            catch (Exception e) when (IsRequestFailure(e))
            {
                await DiscardUploadAsync();
                await _frames.SendErrorAsync(stream, e, path);
                return;
            }
        }
        if (offset > 0)
        {
            SessionLog.UploadResumed(_logger, _peer, ClientText.Of(uploadId), offset, length);
        }
        await _frames.SendAsync(stream, new ReadyAnswer(offset));

        long received = offset;
        EndTrailer trailer;
        while (true)
        {
            var header = await _frames.ReadHeaderAsync() ?? throw new ConnectionEndedException("closed in the middle of an upload body");
            if (header.StreamId != stream || header.Type is not (FrameType.Data or FrameType.End))
            {
                throw Malformed($"a {header.Type} frame for stream {header.StreamId} inside the body of stream {stream}");
            }
            if (header.Type == FrameType.End)
            {
                trailer = EndTrailer.Read(await _frames.ReadFieldsAsync(header));
                break;
            }
            if (header.PayloadLength > length - received)
            {
                throw Malformed($"a body longer than the {length} bytes announced");
            }
            await ReceiveDataAsync(header, path, hash);
            received += header.PayloadLength;
        }

        if (_upload is null)
        {
            // Writing failed part way; the ERROR went out then.
            return;
        }
        try
        {
            if (received != length)
            {
                await _upload.DiscardAsync();
                throw new FtpException(FtpStatus.LengthMismatch, $"The body was {received - offset} bytes from offset {offset}, not the {length - offset} announced.");
            }
            byte[]? actual = null;
            if (hash is not null)
            {
                actual = hash.GetHash();
                byte[]? expected = trailer.Hash;
                if (expected is null || !actual.AsSpan().SequenceEqual(expected))
                {
                    // Damaged on the way, somewhere in the whole file: nothing of it can be trusted, so the next try starts at 0.
                    await _upload.DiscardAsync();
                    throw new FtpException(FtpStatus.HashMismatch, expected is null
                        ? $"The upload announced {TransferHash.WireName(hash.Algorithm)} but its END carried no hash."
                        : $"The file's {TransferHash.WireName(hash.Algorithm)} hash differs from the client's: it was damaged on the way and has been discarded.");
                }
            }
            var result = await _upload.CommitAsync(actual, _aborted);
            SessionLog.Received(_logger, ClientText.OfPath(result.Path), result.Length, _peer);
            await _frames.SendAsync(stream, AnswerOf(result));
        }
        catch (Exception e) when (IsRequestFailure(e))
        {
            await _frames.SendErrorAsync(stream, e, path);
        }
        finally
        {
            await DiscardUploadAsync();
        }
    }

    private static UploadAnswer AnswerOf(UploadResult result) => new(result.Path, result.Length, result.Renamed, result.HashAlgorithm, result.Hash);

    /// <summary>
    /// Passes one DATA payload to the upload: in v1 as it arrives; in v2 whole, once its checksum holds, so that a
    /// damaged payload is never written (the bytes before it stay, for a resume). After a write failure, reads and drops it.
    /// </summary>
    private async Task ReceiveDataAsync(FrameHeader header, string path, TransferHash? hash)
    {
        uint stream = header.StreamId;
        int length = header.PayloadLength;
        bool whole = _frames.Version >= ProtocolConstants.ChecksumVersion;
        if (_space is not null && length > 0)
        {
            try
            {
                // Room as the bytes come, never for the whole announced length at once (see StorageGuard); for the whole
                // payload (at most 1 MiB) before its first byte, so that it is checked once a frame, not once a pipe segment.
                _space.Take(length);
            }
            catch (Exception e) when (IsRequestFailure(e))
            {
                await FailUploadAsync(stream, e, path);
            }
        }
        while (length > 0)
        {
            var result = await _frames.ReadInputAsync(whole ? length : 0);
            var buffer = result.Buffer;
            if (result.IsCanceled || (result.IsCompleted && buffer.Length < (whole ? length : 1)))
            {
                _frames.AdvanceTo(buffer.Start, buffer.End);
                throw new ConnectionEndedException(result.IsCanceled ? "the server is stopping" : "closed in the middle of a DATA frame");
            }
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
            Exception? failure = null;
            if (_upload is not null)
            {
                try
                {
                    if (hash is not null)
                    {
                        foreach (var segment in take)
                        {
                            hash.AppendInPlace(segment);
                        }
                    }
                    // Not cancelled when the client goes away: every byte that arrived is one a resumed upload need not send again.
                    await _upload.WriteAsync(take, CancellationToken.None);
                }
                catch (Exception e) when (IsRequestFailure(e))
                {
                    failure = e;
                }
            }
            _frames.AdvanceTo(take.End);
            if (failure is not null)
            {
                await FailUploadAsync(stream, failure, path);
            }
        }
    }

    /// <summary>Ends an upload that failed part way and answers at once; the rest of this stream's body is read and dropped up to its END.</summary>
    private async Task FailUploadAsync(uint stream, Exception failure, string path)
    {
        await DiscardUploadAsync();
        await _frames.SendErrorAsync(stream, failure, path);
    }

    /// <summary>Ends the current upload: a committed one is left alone, an unfinished one's partial file is deleted.</summary>
    private async ValueTask DiscardUploadAsync()
    {
        _space?.Dispose();
        _space = null;
        if (_upload is not { } upload)
        {
            return;
        }
        _upload = null;
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
