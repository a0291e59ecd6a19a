using System.Runtime.ExceptionServices;
using PSSocketFtp.Protocol;
using static PSSocketFtp.Server.SessionFailures;

namespace PSSocketFtp.Server;

/// <summary>
/// The requests in progress on the connection, each on its stream. In versions 1 and 2 there is at most one, served
/// while the frame loop waits; from version 3 up to <see cref="ProtocolConstants.MaxOpenStreams"/>, the server's work on
/// each running beside the loop, which reads on (the bodies of uploads, new requests).
/// </summary>
internal sealed partial class FtpConnectionSession
{
    private readonly object _streamsLock = new();
    // Every stream with a request in progress: null while the server works on it, its upload while its body comes in.
    private readonly Dictionary<uint, UploadStream?> _open = [];
    // Work running beside the frame loop (version 3), and who waits for all of it to end.
    private int _running;
    private TaskCompletionSource? _drained;
    // The first failure of that work that ends the connection; the frame loop, woken, rethrows it.
    private ExceptionDispatchInfo? _fatal;

    private bool Multiplexed => _frames.Version >= ProtocolConstants.MultiplexVersion;

    private bool NothingOpen
    {
        get
        {
            lock (_streamsLock)
            {
                return _open.Count == 0;
            }
        }
    }

    /// <summary>Opens <paramref name="stream"/> for a new request; false when it was refused (answered already).</summary>
    private async ValueTask<bool> OpenStreamAsync(FrameType type, uint stream)
    {
        lock (_streamsLock)
        {
            if (_open.ContainsKey(stream))
            {
                throw Malformed($"a {type} request on stream {stream}, which has a request in progress");
            }
            if (_open.Count < ProtocolConstants.MaxOpenStreams)
            {
                _open.Add(stream, null);
                return true;
            }
        }
        SessionLog.TooManyStreams(_logger, _peer, stream, ProtocolConstants.MaxOpenStreams);
        await _frames.SendAsync(stream, FrameChannel.ErrorAnswerOf(FtpStatus.ServerBusy, $"The connection has {ProtocolConstants.MaxOpenStreams} requests in flight already; send this one again when one of them is answered."));
        return false;
    }

    /// <summary>
    /// Runs the server's work on <paramref name="stream"/>: in versions 1 and 2 now, before the next frame is read; from
    /// version 3 beside the other streams', while the frame loop reads on. A failure that ends the connection ends it either way.
    /// </summary>
    private async ValueTask RunAsync(uint stream, Func<Task> work)
    {
        if (!Multiplexed)
        {
            try
            {
                await work();
            }
            finally
            {
                EndWork(stream, running: false);
            }
            return;
        }
        lock (_streamsLock)
        {
            _running++;
            _deadlines.Serving = true;
        }
        _ = RunBesideAsync(stream, work);
    }

    private async Task RunBesideAsync(uint stream, Func<Task> work)
    {
        try
        {
            await work();
        }
        catch (Exception e)
        {
            lock (_streamsLock)
            {
                _fatal ??= ExceptionDispatchInfo.Capture(e);
            }
            _frames.CancelPendingRead();
        }
        finally
        {
            EndWork(stream, running: true);
        }
    }

    /// <summary>The server's work on a stream ended: the stream ends too, unless it now waits for an upload's body.</summary>
    private void EndWork(uint stream, bool running)
    {
        bool idle, closeNow;
        lock (_streamsLock)
        {
            if (_open.TryGetValue(stream, out var body) && body is null)
            {
                _open.Remove(stream);
            }
            if (running && --_running == 0)
            {
                _deadlines.Serving = false;
                _drained?.TrySetResult();
                _drained = null;
            }
            idle = _running == 0;
            closeNow = _open.Count == 0 && Volatile.Read(ref _stopRequested);
        }
        if (idle && running)
        {
            // The idle limit applies again from now on, also to the read that is waiting.
            _frames.RearmReadTimer();
        }
        if (closeNow && running)
        {
            // The server is stopping and this was the last request in progress: the connection closes now.
            _frames.CancelPendingRead();
        }
    }

    /// <summary>Waits until the work running beside the frame loop has ended.</summary>
    private Task DrainAsync()
    {
        lock (_streamsLock)
        {
            if (_running == 0)
            {
                return Task.CompletedTask;
            }
            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _drained.Task;
        }
    }

    /// <summary>The upload of <paramref name="body"/> waits for its DATA frames (its stream stays open until END).</summary>
    private void AwaitBody(UploadStream body)
    {
        lock (_streamsLock)
        {
            _open[body.Stream] = body;
        }
    }

    /// <summary>The upload whose body <paramref name="stream"/> carries; null when it carries none.</summary>
    private UploadStream? BodyOf(uint stream)
    {
        lock (_streamsLock)
        {
            return _open.TryGetValue(stream, out var body) ? body : null;
        }
    }

    /// <summary>The upload whose body is coming in (versions 1 and 2 have at most one).</summary>
    private UploadStream? BodyInProgress()
    {
        lock (_streamsLock)
        {
            return _open.Values.FirstOrDefault(body => body is not null);
        }
    }

    /// <summary>END for <paramref name="body"/>: the server works on the stream now, until its answer.</summary>
    private void EndBody(UploadStream body)
    {
        lock (_streamsLock)
        {
            _open[body.Stream] = null;
        }
    }

    /// <summary>The failure of work beside the loop that ends the connection, if there was one.</summary>
    private ExceptionDispatchInfo? Fatal
    {
        get
        {
            lock (_streamsLock)
            {
                return _fatal;
            }
        }
    }

    /// <summary>
    /// At the connection's end: work still running ends with it (the connection is aborted, so that nothing waits on a
    /// client that is gone), then every upload still open is ended; a resumable one keeps its partial file.
    /// </summary>
    private async Task CloseStreamsAsync()
    {
        if (Volatile.Read(ref _running) > 0)
        {
            _connection.Abort();
            await DrainAsync();
        }
        List<UploadStream> bodies;
        lock (_streamsLock)
        {
            bodies = _open.Values.OfType<UploadStream>().ToList();
            _open.Clear();
        }
        foreach (var body in bodies)
        {
            await EndUploadAsync(body);
        }
    }
}
