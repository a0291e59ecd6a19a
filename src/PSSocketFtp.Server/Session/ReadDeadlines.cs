namespace PSSocketFtp.Server;

/// <summary>
/// How long the session waits for the client's bytes. One timer runs while the session reads, due at the nearest of the
/// limits that apply: the idle limit; until the connection is ready (logged in, or on an anonymous server its first
/// request read) what is left of the login deadline; inside a frame what is left of the frame deadline. Bytes that
/// trickle in restart only the idle limit, so neither a login nor a frame can be stretched out a byte at a time.
/// </summary>
internal sealed class ReadDeadlines(FtpServerOptions options, TimeProvider timeProvider, Action? ready)
{
    // Timestamps (TimeProvider.GetTimestamp): since when the connection has waited to be ready, and since when the frame
    // being read has been arriving; null when that limit does not apply.
    private long? _notReadySince;
    private long? _frameSince;
    // `ready` tells the connection limiter that the connection is ready, so that its slot is no longer offered to newcomers.

    /// <summary>The limits the read timer stands for.</summary>
    public enum Limit
    {
        Idle,
        Login,
        Frame,
    }

    /// <summary>
    /// Set while the server works on requests beside the frame loop (version 3): a client waiting for its answers sends
    /// nothing, and is not idle, so only the login and frame limits apply.
    /// </summary>
    public bool Serving
    {
        get => Volatile.Read(ref _serving);
        set => Volatile.Write(ref _serving, value);
    }

    private bool _serving;

    /// <summary>The limit the timer stood for when it fired, so that the close is logged and answered as that limit.</summary>
    public Limit Armed { get; private set; }

    /// <summary>Starts the login deadline: after the handshake, and again when a logged-in connection fails a new login.</summary>
    public void StartLoginClock() => _notReadySince = timeProvider.GetTimestamp();

    /// <summary>
    /// The connection is ready: from now on only the idle and frame limits apply, and the connection limiter no longer
    /// gives its slot to a newcomer.
    /// </summary>
    public void MarkReady()
    {
        if (_notReadySince is null)
        {
            return;
        }
        _notReadySince = null;
        ready?.Invoke();
    }

    /// <summary>What is left of the login deadline (all of it once logged in: a new AUTH waits no longer than a first one).</summary>
    public TimeSpan LoginTimeLeft() =>
        _notReadySince is { } since ? options.LoginTimeout - timeProvider.GetElapsedTime(since) : options.LoginTimeout;

    /// <summary>The first byte of a frame has arrived (or, with <paramref name="started"/> false, the session waits for the next frame).</summary>
    public void MarkFrame(bool started) => _frameSince = started ? timeProvider.GetTimestamp() : null;

    /// <summary>Arms the read timer for the nearest limit (at once when one has passed already).</summary>
    public void Arm(CancellationTokenSource timer)
    {
        if (timer.IsCancellationRequested)
        {
            // Fired between two reads; the next read ends at once, and the limit that fired must stay the one reported.
            return;
        }
        var (due, limit) = (Serving ? Timeout.InfiniteTimeSpan : options.IdleTimeout, Limit.Idle);
        if (_notReadySince is not null && LoginTimeLeft() is var login && (login < due || due == Timeout.InfiniteTimeSpan))
        {
            (due, limit) = (login, Limit.Login);
        }
        if (_frameSince is { } started && options.FrameTimeout - timeProvider.GetElapsedTime(started) is var frame && (frame < due || due == Timeout.InfiniteTimeSpan))
        {
            (due, limit) = (frame, Limit.Frame);
        }
        Armed = limit;
        if (due > TimeSpan.Zero || due == Timeout.InfiniteTimeSpan)
        {
            timer.CancelAfter(due);
        }
        else
        {
            timer.Cancel();
        }
    }
}
