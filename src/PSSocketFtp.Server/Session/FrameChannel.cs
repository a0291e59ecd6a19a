using System.Buffers;
using System.IO.Pipelines;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Framing;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server;

/// <summary>
/// A connection's frames in and out: reads from the transport's <see cref="PipeReader"/> through <see cref="FrameReader"/>
/// with the read timer armed (<see cref="ReadDeadlines"/>), writes and flushes frames to its <see cref="PipeWriter"/>, and
/// says goodbye (a last ERROR, then a linger) before the connection closes. Writes take a lock, one frame at a time, so
/// that the requests a version 3 client has in flight can answer at once, their frames interleaved but never mixed.
/// </summary>
internal sealed class FrameChannel(PipeReader input, PipeWriter output, ReadDeadlines deadlines, TimeProvider timeProvider, ILogger logger, string peer) : IDisposable
{
    // After a fatal error the client's unread bytes are drained for a moment, so that closing does not reset the
    // connection and destroy the ERROR frame before the client reads it.
    private static readonly TimeSpan LingerTime = TimeSpan.FromSeconds(1);

    // Started after the handshake (which has its own timeout); cancels the pending read when a limit passes.
    private CancellationTokenSource? _readTimer;
    // Whether a read under the timer is waiting, so that the timer is set again only for a read that can still end.
    private bool _reading;
    // One frame at a time into the outgoing pipe; uncontended (versions 1 and 2) it costs no allocation.
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    /// <summary>The version agreed in the handshake decides the frame format (v2: checksummed headers and payloads).</summary>
    public byte Version { get; set; } = ProtocolConstants.MinVersion;

    /// <summary>Whether the handshake is over and reads run under the read timer.</summary>
    public bool ReadTimerStarted => _readTimer is not null;

    /// <summary>Whether a read limit passed, which ended the read that was waiting.</summary>
    public bool ReadTimerFired => _readTimer?.IsCancellationRequested == true;

    /// <summary>Arms the read timer for every read from now on (after the handshake).</summary>
    public void StartReadTimer()
    {
        _readTimer = new CancellationTokenSource(Timeout.InfiniteTimeSpan, timeProvider);
        _readTimer.Token.Register(input.CancelPendingRead);
    }

    /// <summary>Sets the read timer again for the limits that apply now (the server's own work on requests ended, see <see cref="ReadDeadlines.Serving"/>).</summary>
    public void RearmReadTimer()
    {
        if (_readTimer is { IsCancellationRequested: false } timer && Volatile.Read(ref _reading))
        {
            deadlines.Arm(timer);
        }
    }

    /// <summary>Ends the read that is waiting (with a result that says it was cancelled).</summary>
    public void CancelPendingRead() => input.CancelPendingRead();

    /// <summary>Reads one frame header through <see cref="FrameReader"/>; null when the client closed cleanly between frames.</summary>
    public async ValueTask<FrameHeader?> ReadHeaderAsync()
    {
        // Between frames only the idle limit runs; the frame's own deadline starts with its first byte.
        deadlines.MarkFrame(started: false);
        if (await ReadExactlyAsync(1) is not { } buffer)
        {
            return null;
        }
        deadlines.MarkFrame(started: true);
        while (true)
        {
            var rest = buffer;
            bool whole;
            FrameHeader header;
            try
            {
                whole = FrameReader.TryReadHeader(ref rest, Version, out header);
            }
            catch (FtpException)
            {
                // The reader must be free again for the goodbye; the session then closes the connection.
                input.AdvanceTo(buffer.End);
                throw;
            }
            if (whole)
            {
                input.AdvanceTo(rest.Start);
                return header;
            }
            input.AdvanceTo(buffer.Start, buffer.End);
            buffer = await ReadExactlyAsync(FrameHeader.Size(Version)) ?? throw new ConnectionEndedException("closed in the middle of a frame");
        }
    }

    /// <summary>Reads a control frame's whole payload (at most 64 KiB, as the header has been checked) as fields.</summary>
    public async ValueTask<FieldSet> ReadFieldsAsync(FrameHeader header)
    {
        if (header.PayloadLength == 0)
        {
            return FieldSet.Empty;
        }
        var buffer = await ReadExactlyAsync(header.PayloadLength) ?? throw new ConnectionEndedException($"closed before the payload of a {header.Type} frame");
        var rest = buffer;
        byte[] payload;
        try
        {
            // A damaged request is refused before any of it is read, let alone acted on.
            FrameReader.TryReadPayload(ref rest, header, out var bytes);
            payload = bytes.ToArray();
        }
        catch (FtpException)
        {
            // The reader must be free again for the goodbye; the session then closes the connection.
            input.AdvanceTo(buffer.End);
            throw;
        }
        input.AdvanceTo(rest.Start);
        return FieldSet.Parse(payload);
    }

    /// <summary>
    /// Waits until <paramref name="count"/> bytes are buffered and returns the buffer (the caller advances past them);
    /// null when the input ended cleanly before any byte.
    /// </summary>
    public async ValueTask<ReadOnlySequence<byte>?> ReadExactlyAsync(int count)
    {
        var result = await ReadInputAsync(count);
        if (result.Buffer.Length >= count && !result.IsCanceled)
        {
            return result.Buffer;
        }
        bool nothing = result.Buffer.IsEmpty;
        // Release the buffer: the reader must be free again for the goodbye that may follow.
        input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        if (result.IsCanceled)
        {
            throw new ConnectionEndedException("the read was cancelled");
        }
        return nothing ? null : throw new ConnectionEndedException("closed in the middle of a frame");
    }

    /// <summary>Reads from the client with the read timer armed (after the handshake, see <see cref="ReadDeadlines"/>): a client too slow is cut off.</summary>
    public async ValueTask<ReadResult> ReadInputAsync(int minimum)
    {
        if (_readTimer is not null)
        {
            Volatile.Write(ref _reading, true);
            deadlines.Arm(_readTimer);
        }
        try
        {
            return minimum > 0 ? await input.ReadAtLeastAsync(minimum) : await input.ReadAsync();
        }
        finally
        {
            Volatile.Write(ref _reading, false);
            if (_readTimer is { IsCancellationRequested: false })
            {
                _readTimer.CancelAfter(Timeout.InfiniteTimeSpan);
            }
        }
    }

    /// <summary>Gives back what a read returned, up to <paramref name="consumed"/> (<see cref="PipeReader.AdvanceTo(SequencePosition)"/>).</summary>
    public void AdvanceTo(SequencePosition consumed) => input.AdvanceTo(consumed);

    /// <summary>Gives back what a read returned, up to <paramref name="consumed"/>, having looked up to <paramref name="examined"/>.</summary>
    public void AdvanceTo(SequencePosition consumed, SequencePosition examined) => input.AdvanceTo(consumed, examined);

    /// <summary>Sends bytes as they are (the handshake's reply).</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes)
    {
        await _writeLock.WaitAsync();
        try
        {
            output.Write(bytes.Span);
            await FlushAsync();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Sends an answer on <paramref name="stream"/> and flushes it.</summary>
    public ValueTask SendAsync(uint stream, ControlMessage message) => SendAsync(message.ToWriter(stream));

    /// <summary>Sends a frame built already (a batch of ENTRIES) and flushes it.</summary>
    public ValueTask SendAsync(FieldWriter writer) => WriteAsync(writer.ToFrame(Version));

    /// <summary>
    /// Sends a DATA frame of <paramref name="length"/> bytes whose body <paramref name="fill"/> reads straight into the
    /// outgoing pipe, behind room for the header (no copy); the header then goes in front of it. When
    /// <paramref name="fill"/> fails, nothing of the frame is sent.
    /// </summary>
    public async ValueTask SendDataAsync<TState>(uint stream, int length, TState state, Func<TState, Memory<byte>, ValueTask> fill)
    {
        await _writeLock.WaitAsync();
        try
        {
            int headerSize = FrameHeader.Size(Version);
            var frame = output.GetMemory(headerSize + length).Slice(0, headerSize + length);
            var body = frame.Slice(headerSize);
            await fill(state, body);
            new FrameHeader(FrameType.Data, stream, length).Write(frame.Span, Version, body.Span);
            output.Advance(frame.Length);
            await FlushAsync();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private async ValueTask FlushAsync()
    {
        var result = await output.FlushAsync();
        if (result.IsCompleted || result.IsCanceled)
        {
            throw new ConnectionEndedException("the client stopped reading");
        }
    }

    /// <summary>Answers a failed request with an ERROR on its stream; the connection stays usable.</summary>
    public async Task SendErrorAsync(uint stream, Exception e, string path)
    {
        var status = ErrorMapping.ToStatus(e);
        string subject = SessionFailures.Subject(e, path);
        if (status == FtpStatus.InternalError)
        {
            SessionLog.RequestFailed(logger, e, peer, stream, ClientText.OfPath(subject));
        }
        else
        {
            SessionLog.RequestRefused(logger, peer, stream, status, ClientText.Of(e.Message));
        }
        // Escaped like the message, as the client may show it on a terminal.
        await SendAsync(stream, ErrorAnswerOf(status, ErrorMapping.ToMessage(e, status, subject), subject));
    }

    /// <summary>An ERROR; its message (and the path it names) may quote what the client sent, so they go out escaped (see <see cref="ClientText"/>).</summary>
    public static ErrorAnswer ErrorAnswerOf(FtpStatus status, string message, string? path = null) =>
        new(status, ClientText.Escape(message), path is null ? null : ClientText.Escape(path));

    /// <summary>Sends ERROR on stream 0 and lets the caller close the connection.</summary>
    public async Task CloseWithErrorAsync(FtpStatus status, string message)
    {
        try
        {
            await WriteAndLingerAsync(ErrorAnswerOf(status, message).ToWriter(0).ToFrame(Version));
        }
        catch (Exception e) when (SessionFailures.IsConnectionEnd(e))
        {
            // The client is gone already; closing is all that is left.
        }
    }

    /// <summary>Writes a last message, then reads and drops what the client still sends until it closes or a moment passes.</summary>
    public async Task WriteAndLingerAsync(ReadOnlyMemory<byte> message)
    {
        await WriteAsync(message);
        using var linger = new CancellationTokenSource(LingerTime, timeProvider);
        using var registration = linger.Token.Register(input.CancelPendingRead);
        while (true)
        {
            var result = await input.ReadAsync();
            input.AdvanceTo(result.Buffer.End);
            if (result.IsCanceled || result.IsCompleted)
            {
                return;
            }
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _readTimer?.Dispose();
        _writeLock.Dispose();
    }
}
