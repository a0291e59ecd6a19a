using Microsoft.Extensions.Time.Testing;

namespace PSSocketFtp.Client.Tests;

public class ProgressWatchdogTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(8);
    private readonly FakeTimeProvider _clock = new();
    private int _stalls;

    [Fact]
    public void Check_NoProgressForTimeout_FiresWithinAQuarterTimeoutAfter()
    {
        using var watchdog = new ProgressWatchdog(_clock, Timeout, () => _stalls++);

        _clock.Advance(Timeout - TimeSpan.FromTicks(1));
        Assert.False(watchdog.Fired);
        _clock.Advance(Timeout / 4);

        Assert.True(watchdog.Fired);
        Assert.Equal(1, _stalls);
    }

    [Fact]
    public void Touch_ProgressBeforeTimeout_PostponesFiring()
    {
        using var watchdog = new ProgressWatchdog(_clock, Timeout, () => _stalls++);

        for (int i = 0; i < 20; i++)
        {
            // Slow but steady progress: a touch every half timeout, for ten timeouts.
            _clock.Advance(Timeout / 2);
            watchdog.Touch();
        }

        Assert.False(watchdog.Fired);
        Assert.Equal(0, _stalls);
    }

    [Fact]
    public void Check_StalledLong_FiresOnlyOnce()
    {
        using var watchdog = new ProgressWatchdog(_clock, Timeout, () => _stalls++);

        for (int i = 0; i < 40; i++)
        {
            _clock.Advance(Timeout / 4);
        }

        Assert.Equal(1, _stalls);
    }

    [Fact]
    public void Dispose_BeforeTimeout_NeverFires()
    {
        var watchdog = new ProgressWatchdog(_clock, Timeout, () => _stalls++);

        watchdog.Dispose();
        _clock.Advance(Timeout * 3);

        Assert.False(watchdog.Fired);
        Assert.Equal(0, _stalls);
    }

    [Fact]
    public void Check_TinyTimeout_StillFires()
    {
        // The check period has a floor of one millisecond, so a sub-millisecond timeout cannot spin the timer.
        using var watchdog = new ProgressWatchdog(_clock, TimeSpan.FromTicks(10), () => _stalls++);

        _clock.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(1, _stalls);
    }
}
