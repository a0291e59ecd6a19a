using System.Net;

namespace PSSocketFtp.Server;

/// <summary>
/// Bounds the work and the pace of password checks for the whole server. Each client network's failed logins are
/// remembered across its connections, and its checks are spaced out by them (1 s after one failure, then 2 s, 4 s, at
/// most 8 s) whichever connection they come on; a success forgets them. Apart from that, at most
/// <see cref="FtpServerOptions.MaxConcurrentLogins"/> checks run at once, with a few waiting per running check. A login
/// beyond that, or whose network's turn comes too late for it, is not checked at all (<see cref="Outcome.Busy"/>).
/// </summary>
internal sealed class LoginGuard
{
    /// <summary>How many networks' failures are remembered at most; past that, the least telling record makes room.</summary>
    internal const int MaxTrackedNetworks = 10_000;

    /// <summary>How many logins may wait for each check that may run.</summary>
    internal const int WaitersPerCheck = 4;

    // The spacing after this many failures no longer grows.
    private static readonly TimeSpan MaxSpacing = TimeSpan.FromSeconds(8);

    private readonly FtpServerOptions _options;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _checks;
    private readonly int _maxAdmitted;
    private readonly object _gate = new();
    private readonly Dictionary<IPAddress, Failures> _failures = [];
    private int _admitted;

    public LoginGuard(FtpServerOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        _checks = new SemaphoreSlim(options.MaxConcurrentLogins, options.MaxConcurrentLogins);
        _maxAdmitted = options.MaxConcurrentLogins * (1 + WaitersPerCheck);
    }

    /// <summary>What a login came to.</summary>
    public enum Outcome
    {
        /// <summary>The password was right.</summary>
        Success,

        /// <summary>The user name or the password was wrong.</summary>
        Failure,

        /// <summary>Too many logins are being checked, in all or from the network; this one was not.</summary>
        Busy,
    }

    /// <summary>How many networks' failures are remembered now.</summary>
    internal int TrackedNetworks
    {
        get
        {
            lock (_gate)
            {
                return _failures.Count;
            }
        }
    }

    /// <summary>
    /// Waits for the client's network's turn, then runs <paramref name="check"/> (the password hash comparison) within
    /// the server's cap on concurrent checks, and records its outcome for the network. A turn more than
    /// <paramref name="maxWait"/> away (past the connection's login deadline) is not taken: the login is not checked.
    /// </summary>
    public async Task<Outcome> CheckAsync(EndPoint? remote, Func<bool> check, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var network = ClientAddress.NetworkOf(remote);
        if (TakeTurn(network, maxWait) is not { } wait)
        {
            return Outcome.Busy;
        }
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _time, cancellationToken);
        }
        if (Interlocked.Increment(ref _admitted) > _maxAdmitted)
        {
            Interlocked.Decrement(ref _admitted);
            return Outcome.Busy;
        }
        bool right;
        try
        {
            await _checks.WaitAsync(cancellationToken);
            try
            {
                right = check();
            }
            finally
            {
                _checks.Release();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _admitted);
        }
        Record(network, right);
        return right ? Outcome.Success : Outcome.Failure;
    }

    /// <summary>
    /// How long the network must wait before its next check; null when that is longer than <paramref name="maxWait"/>.
    /// The turn after that is booked at once, as if this check failed too, so that many connections from one network get
    /// their checks one spacing apart, not all together.
    /// </summary>
    private TimeSpan? TakeTurn(IPAddress network, TimeSpan maxWait)
    {
        long now = _time.GetTimestamp();
        lock (_gate)
        {
            if (!_failures.TryGetValue(network, out var failures))
            {
                return TimeSpan.Zero;
            }
            if (IsExpired(failures, now))
            {
                _failures.Remove(network);
                return TimeSpan.Zero;
            }
            var wait = failures.NextTurn > now ? _time.GetElapsedTime(now, failures.NextTurn) : TimeSpan.Zero;
            if (wait > maxWait)
            {
                return null;
            }
            failures.NextTurn = Math.Max(failures.NextTurn, now + ToTicks(wait + Spacing(failures.Count)));
            return wait;
        }
    }

    private void Record(IPAddress network, bool right)
    {
        long now = _time.GetTimestamp();
        lock (_gate)
        {
            if (right)
            {
                _failures.Remove(network);
                return;
            }
            if (!_failures.TryGetValue(network, out var failures))
            {
                MakeRoom(now);
                failures = new Failures { NextTurn = now };
                _failures[network] = failures;
            }
            failures.Count++;
            failures.Last = now;
            failures.NextTurn = Math.Max(failures.NextTurn, now + ToTicks(Spacing(failures.Count)));
        }
    }

    /// <summary>
    /// Keeps the table within <see cref="MaxTrackedNetworks"/>: expired records go first, then the record with the fewest
    /// failures (the oldest of them), so that a flood of one-off failures from many networks cannot push out a persistent
    /// guesser's record to start it afresh.
    /// </summary>
    private void MakeRoom(long now)
    {
        if (_failures.Count < MaxTrackedNetworks)
        {
            return;
        }
        foreach (var (network, failures) in _failures)
        {
            if (IsExpired(failures, now))
            {
                _failures.Remove(network);
            }
        }
        if (_failures.Count < MaxTrackedNetworks)
        {
            return;
        }
        var least = _failures.MinBy(pair => (pair.Value.Count, pair.Value.Last));
        _failures.Remove(least.Key);
    }

    private bool IsExpired(Failures failures, long now) => _time.GetElapsedTime(failures.Last, now) >= _options.LoginFailureWindow;

    /// <summary>The time between two checks from a network with this many recent failures.</summary>
    private static TimeSpan Spacing(int failures) =>
        failures == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Min(Math.Pow(2, failures - 1), MaxSpacing.TotalSeconds));

    private long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);

    /// <summary>A network's recent failed logins (timestamps of <see cref="TimeProvider.GetTimestamp"/>).</summary>
    private sealed class Failures
    {
        public int Count { get; set; }

        public long Last { get; set; }

        public long NextTurn { get; set; }
    }
}
