using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server;

/// <summary>
/// How long the session waits for the client's bytes. One timer runs while the session reads, due at the nearest of the
/// limits that apply: the idle limit; until the connection is ready (logged in, or on an anonymous server its first
/// request read) what is left of the login deadline; inside a frame what is left of the frame deadline. Bytes that
/// trickle in restart only the idle limit, so neither a login nor a frame can be stretched out a byte at a time.
/// </summary>
internal sealed partial class FtpConnectionSession
{
    // Timestamps (TimeProvider.GetTimestamp): since when the connection has waited to be ready, and since when the frame
    // being read has been arriving; null when that limit does not apply.
    private long? _notReadySince;
    private long? _frameSince;
    // Tells the connection limiter that the connection is ready, so that its slot is no longer offered to newcomers.
    private readonly Action? _ready;
    // The limit the timer stood for when it fired, so that the close is logged and answered as that limit.
    private ReadLimit _armed;

    private enum ReadLimit
    {
        Idle,
        Login,
        Frame,
    }

    /// <summary>Starts the login deadline: after the handshake, and again when a logged-in connection fails a new login.</summary>
    private void StartLoginClock() => _notReadySince = _timeProvider.GetTimestamp();

    /// <summary>
    /// The connection is ready: from now on only the idle and frame limits apply, and the connection limiter no longer
    /// gives its slot to a newcomer.
    /// </summary>
    private void MarkReady()
    {
        if (_notReadySince is null)
        {
            return;
        }
        _notReadySince = null;
        _ready?.Invoke();
    }

    /// <summary>What is left of the login deadline (all of it once logged in: a new AUTH waits no longer than a first one).</summary>
    private TimeSpan LoginTimeLeft() =>
        _notReadySince is { } since ? _options.LoginTimeout - _timeProvider.GetElapsedTime(since) : _options.LoginTimeout;

    /// <summary>The first byte of a frame has arrived (or, with <paramref name="started"/> false, the session waits for the next frame).</summary>
    private void MarkFrame(bool started) => _frameSince = started ? _timeProvider.GetTimestamp() : null;

    /// <summary>Arms the read timer for the nearest limit (at once when one has passed already).</summary>
    private void ArmReadTimer(CancellationTokenSource timer)
    {
        if (timer.IsCancellationRequested)
        {
            // Fired between two reads; the next read ends at once, and the limit that fired must stay the one reported.
            return;
        }
        var (due, limit) = (_options.IdleTimeout, ReadLimit.Idle);
        if (_notReadySince is not null && LoginTimeLeft() is var login && login < due)
        {
            (due, limit) = (login, ReadLimit.Login);
        }
        if (_frameSince is { } started && _options.FrameTimeout - _timeProvider.GetElapsedTime(started) is var frame && frame < due)
        {
            (due, limit) = (frame, ReadLimit.Frame);
        }
        _armed = limit;
        if (due > TimeSpan.Zero)
        {
            timer.CancelAfter(due);
        }
        else
        {
            timer.Cancel();
        }
    }

    /// <summary>Logs, and where the client can act on it answers, why the read timer closed the connection.</summary>
    private async Task CloseForReadLimitAsync()
    {
        switch (_armed)
        {
            case ReadLimit.Login when _options.Users is not null:
                SessionLog.NoLogin(_logger, _peer, _options.LoginTimeout);
                await CloseWithErrorAsync(FtpStatus.Unauthorized, $"The server requires a login within {_options.LoginTimeout.TotalSeconds:0.###} s of connecting; none came, so the connection is closed.");
                break;
            case ReadLimit.Login:
                SessionLog.NoRequest(_logger, _peer, _options.LoginTimeout);
                break;
            case ReadLimit.Frame:
                SessionLog.SlowFrame(_logger, _peer, _options.FrameTimeout);
                break;
            default:
                SessionLog.Idle(_logger, _peer, _options.IdleTimeout);
                break;
        }
    }
}
