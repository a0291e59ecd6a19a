using Microsoft.Extensions.Time.Testing;

namespace PSSocketFtp.Client.Tests.Support;

/// <summary>
/// A fake clock that also counts the one-shot timers created on it: Polly's retry delays are the only ones, so a test
/// can wait until the client is waiting before it advances time (periodic timers are the no-progress watchdog's).
/// </summary>
internal sealed class TestClock : FakeTimeProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<TimeSpan> _delayLengths = new();
    private int _delays;
    private int _watchdogs;

    /// <summary>Retry delays started so far.</summary>
    public int Delays => Volatile.Read(ref _delays);

    /// <summary>How long each retry delay so far was to be, in order.</summary>
    public IReadOnlyList<TimeSpan> DelayLengths => _delayLengths.ToArray();

    /// <summary>Watchdogs (one per connect and one per operation) started so far.</summary>
    public int Watchdogs => Volatile.Read(ref _watchdogs);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        // Count only once the timer exists, or a test could advance time before it and the timer would never fire.
        var timer = base.CreateTimer(callback, state, dueTime, period);
        if (period == Timeout.InfiniteTimeSpan)
        {
            _delayLengths.Enqueue(dueTime);
            Interlocked.Increment(ref _delays);
        }
        else
        {
            Interlocked.Increment(ref _watchdogs);
        }
        return timer;
    }

    /// <summary>
    /// Starts an operation and lets it run to its end, advancing time by <paramref name="step"/> each time it starts a
    /// retry delay, so retries happen without real waiting. The operation is started here, after the delays so far are
    /// counted, because it may start its first delay before it returns its task.
    /// </summary>
    public async Task<T> SkipDelaysAsync<T>(Func<Task<T>> start, TimeSpan step)
    {
        int seen = Delays;
        var task = start();
        while (true)
        {
            await Wait.UntilAsync(() => task.IsCompleted || Delays > seen, "the operation to end or start a retry delay");
            if (task.IsCompleted)
            {
                return await task;
            }
            seen++;
            Advance(step);
        }
    }
}

/// <summary>Waits on conditions with a bound, instead of sleeping for a guessed time.</summary>
internal static class Wait
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Gave up waiting for {what} after {Bound.TotalSeconds} s.");
            }
            await Task.Delay(5);
        }
    }

    /// <summary>Awaits a task that should end soon: a hang becomes a failure, not a stuck test run.</summary>
    public static Task<T> Soon<T>(this Task<T> task) => task.WaitAsync(Bound);

    public static Task Soon(this Task task) => task.WaitAsync(Bound);
}
