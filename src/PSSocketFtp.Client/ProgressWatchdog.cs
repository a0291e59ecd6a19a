namespace PSSocketFtp.Client;

/// <summary>
/// Fires once when no progress was reported for a whole timeout. Checks four times per timeout, so a stall is
/// noticed between 1 and 1.25 timeouts after the last progress. Runs on the injected clock.
/// </summary>
internal sealed class ProgressWatchdog : IDisposable
{
    private readonly TimeProvider _clock;
    private readonly TimeSpan _timeout;
    private readonly Action _onStall;
    private readonly ITimer _timer;
    private long _lastProgress;
    private int _fired;

    public ProgressWatchdog(TimeProvider clock, TimeSpan timeout, Action onStall)
    {
        _clock = clock;
        _timeout = timeout;
        _onStall = onStall;
        _lastProgress = clock.GetTimestamp();
        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, timeout.Ticks / 4));
        _timer = clock.CreateTimer(_ => Check(), null, period, period);
    }

    public bool Fired => Volatile.Read(ref _fired) != 0;

    public void Touch() => Volatile.Write(ref _lastProgress, _clock.GetTimestamp());

    public void Dispose() => _timer.Dispose();

    private void Check()
    {
        if (_clock.GetElapsedTime(Volatile.Read(ref _lastProgress)) >= _timeout && Interlocked.Exchange(ref _fired, 1) == 0)
        {
            _onStall();
        }
    }
}
