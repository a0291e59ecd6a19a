using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace PSSocketFtp.Server.Tests;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that reports every timer armed, with its due time, so a test can wait until the
/// server has started a timeout before it moves the clock past it (instead of racing or sleeping).
/// </summary>
internal sealed class ObservedTimeProvider : TimeProvider
{
    private readonly Channel<TimeSpan> _armed = Channel.CreateUnbounded<TimeSpan>();

    public FakeTimeProvider Fake { get; } = new(DateTimeOffset.UtcNow);

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => Fake.LocalTimeZone;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        // Reported only once the timer exists: a test that advanced the clock before that would leave it never firing.
        var timer = new Timer(this, Fake.CreateTimer(callback, state, dueTime, period));
        Report(dueTime);
        return timer;
    }

    /// <summary>Waits until a timer is armed with <paramref name="dueTime"/> (skipping others).</summary>
    public async Task WaitForArmedAsync(TimeSpan dueTime)
    {
        using var cancel = new CancellationTokenSource(RawClient.Timeout);
        while (await _armed.Reader.ReadAsync(cancel.Token) != dueTime)
        {
        }
    }

    /// <summary>Waits until a timer is armed with <paramref name="dueTime"/>, then moves the clock by <paramref name="by"/> (by default that due time).</summary>
    public async Task AdvanceOnceArmedAsync(TimeSpan dueTime, TimeSpan? by = null)
    {
        await WaitForArmedAsync(dueTime);
        Fake.Advance(by ?? dueTime);
    }

    private void Report(TimeSpan dueTime)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            _armed.Writer.TryWrite(dueTime);
        }
    }

    private sealed class Timer(ObservedTimeProvider owner, ITimer inner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            bool changed = inner.Change(dueTime, period);
            owner.Report(dueTime);
            return changed;
        }

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
