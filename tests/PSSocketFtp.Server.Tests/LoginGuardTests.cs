using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace PSSocketFtp.Server.Tests;

/// <summary>The server-wide guard on password checks: the cap on concurrent checks, and the per-network failure table.</summary>
public sealed class LoginGuardTests
{
    private static readonly Func<bool> Wrong = () => false;
    // Longer than any turn in these tests, except where a test says otherwise.
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    [Fact]
    public async Task CheckAsync_ManyLoginsAtOnce_AtMostTheCapRunAndThoseBeyondTheQueueBusy()
    {
        const int cap = 2;
        int queue = cap * (1 + LoginGuard.WaitersPerCheck);
        var guard = new LoginGuard(new FtpServerOptions { MaxConcurrentLogins = cap }, _time);
        int running = 0;
        int most = 0;
        using var release = new ManualResetEventSlim();
        // Stands for the password hash: counts how many run at once, and holds its slot until the test lets go.
        bool Check()
        {
            int now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            release.Wait(RawClient.Timeout);
            Interlocked.Decrement(ref running);
            return false;
        }

        // Each from its own address, so that none waits for an address's turn: only the cap holds them back.
        var logins = Enumerable.Range(1, queue + 3)
            .Select(i => Task.Run(() => guard.CheckAsync(Endpoint(10, 0, 0, (byte)i), Check, Patience, CancellationToken.None)))
            .ToList();
        Assert.True(SpinWait.SpinUntil(() => logins.Count(t => t.IsCompleted) == 3 && Volatile.Read(ref running) == cap, RawClient.Timeout),
            $"Expected {cap} checks running and 3 logins refused, saw {Volatile.Read(ref running)} running and {logins.Count(t => t.IsCompleted)} done.");
        Assert.All(logins.Where(t => t.IsCompleted), t => Assert.Equal(LoginGuard.Outcome.Busy, t.Result));
        release.Set();
        var outcomes = await Task.WhenAll(logins);

        Assert.Equal(cap, most);
        Assert.Equal(queue, outcomes.Count(o => o == LoginGuard.Outcome.Failure));
        Assert.Equal(3, outcomes.Count(o => o == LoginGuard.Outcome.Busy));
    }

    [Fact]
    public async Task CheckAsync_FloodOfOneOffFailures_TableBoundedAndPersistentGuesserRemembered()
    {
        var guard = new LoginGuard(new FtpServerOptions(), _time);
        var guesser = Endpoint(192, 0, 2, 1);
        await guard.CheckAsync(guesser, Wrong, Patience, CancellationToken.None);
        _time.Advance(TimeSpan.FromSeconds(1));
        await guard.CheckAsync(guesser, Wrong, Patience, CancellationToken.None);

        // As many other networks fail once each as the table holds: one record has to go, and not the guesser's.
        for (int i = 0; i < LoginGuard.MaxTrackedNetworks; i++)
        {
            Assert.Equal(LoginGuard.Outcome.Failure, await guard.CheckAsync(Endpoint(10, (byte)(i >> 16), (byte)(i >> 8), (byte)i), Wrong, Patience, CancellationToken.None));
        }

        Assert.Equal(LoginGuard.MaxTrackedNetworks, guard.TrackedNetworks);
        await AssertWaitsAsync(guard, guesser, TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task CheckAsync_AfterLoginFailureWindow_FailuresForgotten()
    {
        var options = new FtpServerOptions();
        var guard = new LoginGuard(options, _time);
        var client = Endpoint(192, 0, 2, 1);
        await guard.CheckAsync(client, Wrong, Patience, CancellationToken.None);
        await AssertWaitsAsync(guard, client, TimeSpan.FromSeconds(1));
        Assert.Equal(1, guard.TrackedNetworks);

        _time.Advance(options.LoginFailureWindow);

        // Checked at once, and its failure counts as the first again: the next check waits 1 s, not 4 s.
        Assert.Equal(LoginGuard.Outcome.Failure, await guard.CheckAsync(client, Wrong, Patience, CancellationToken.None));
        await AssertWaitsAsync(guard, client, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task CheckAsync_AddressesOfOneIpv6Network_ShareTheirFailures()
    {
        var guard = new LoginGuard(new FtpServerOptions(), _time);
        await guard.CheckAsync(new IPEndPoint(IPAddress.Parse("2001:db8:0:1::1"), 1), Wrong, Patience, CancellationToken.None);
        await guard.CheckAsync(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 1), Wrong, Patience, CancellationToken.None);

        var sameNetwork = guard.CheckAsync(new IPEndPoint(IPAddress.Parse("2001:db8:0:1:ffff::2"), 1), Wrong, Patience, CancellationToken.None);
        var mapped = guard.CheckAsync(new IPEndPoint(IPAddress.Parse("::ffff:192.0.2.1"), 1), Wrong, Patience, CancellationToken.None);
        var otherNetwork = guard.CheckAsync(new IPEndPoint(IPAddress.Parse("2001:db8:0:2::1"), 1), Wrong, Patience, CancellationToken.None);

        // Another /64 is checked at once; another address of the same /64 waits its turn, as does the IPv4 address written as IPv6.
        Assert.True(otherNetwork.IsCompleted);
        Assert.False(sameNetwork.IsCompleted);
        Assert.False(mapped.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(LoginGuard.Outcome.Failure, await sameNetwork.WaitAsync(RawClient.Timeout));
        Assert.Equal(LoginGuard.Outcome.Failure, await mapped.WaitAsync(RawClient.Timeout));
    }

    [Fact]
    public async Task CheckAsync_TurnFurtherAwayThanMaxWait_BusyWithoutChecking()
    {
        var guard = new LoginGuard(new FtpServerOptions(), _time);
        var client = Endpoint(192, 0, 2, 1);
        await guard.CheckAsync(client, Wrong, Patience, CancellationToken.None);
        int checks = 0;

        // The network's next turn is 1 s away: a login that may wait only 0.5 s is not checked (and books no turn).
        var outcome = await guard.CheckAsync(client, () => ++checks > 0, TimeSpan.FromMilliseconds(500), CancellationToken.None);

        Assert.Equal(LoginGuard.Outcome.Busy, outcome);
        Assert.Equal(0, checks);
        await AssertWaitsAsync(guard, client, TimeSpan.FromSeconds(1));
    }

    /// <summary>A failed check from <paramref name="client"/> that runs only once the clock has moved by <paramref name="wait"/>.</summary>
    private async Task AssertWaitsAsync(LoginGuard guard, IPEndPoint client, TimeSpan wait)
    {
        var check = guard.CheckAsync(client, Wrong, Patience, CancellationToken.None);
        _time.Advance(wait - TimeSpan.FromMilliseconds(1));
        Assert.False(check.IsCompleted, $"Checked before {wait} had passed.");
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(LoginGuard.Outcome.Failure, await check.WaitAsync(RawClient.Timeout));
    }

    private static IPEndPoint Endpoint(byte a, byte b, byte c, byte d) => new(new IPAddress([a, b, c, d]), 40000);

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
