using Microsoft.Extensions.Time.Testing;

namespace PSSocketFtp.Server.Tests;

public class IdleMemoryTrimmerTests
{
    private readonly FakeTimeProvider _time = new();
    private long _allocated;
    private int _trims;

    private IdleMemoryTrimmer Start()
    {
        var trimmer = new IdleMemoryTrimmer(_time, () => _allocated, () => _trims++);
        trimmer.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        return trimmer;
    }

    private void Interval(long allocated)
    {
        _allocated += allocated;
        _time.Advance(IdleMemoryTrimmer.Interval);
    }

    [Fact]
    public void Tick_QuietAfterABusySpell_TrimsOnce()
    {
        using var trimmer = Start();

        Interval(IdleMemoryTrimmer.BusyBytes);
        Assert.Equal(0, _trims);
        Interval(0);
        Assert.Equal(1, _trims);
        Interval(0);
        Interval(IdleMemoryTrimmer.QuietBytes - 1);
        Assert.Equal(1, _trims);
    }

    [Fact]
    public void Tick_QuietWithLittleAllocatedSinceTheLastTrim_DoesNotTrim()
    {
        using var trimmer = Start();

        for (int i = 0; i < 10; i++)
        {
            Interval(IdleMemoryTrimmer.QuietBytes - 1);
        }

        Assert.Equal(0, _trims);
    }

    [Fact]
    public void Tick_StillBusy_WaitsForTheQuiet()
    {
        using var trimmer = Start();

        Interval(IdleMemoryTrimmer.BusyBytes);
        Interval(IdleMemoryTrimmer.QuietBytes);
        Assert.Equal(0, _trims);
        Interval(0);
        Assert.Equal(1, _trims);
    }

    [Fact]
    public void Tick_BusyAgainAfterATrim_TrimsAgainWhenQuiet()
    {
        using var trimmer = Start();
        Interval(IdleMemoryTrimmer.BusyBytes);
        Interval(0);

        Interval(IdleMemoryTrimmer.BusyBytes);
        Interval(0);

        Assert.Equal(2, _trims);
    }

    [Fact]
    public async Task StopAsync_NoMoreTicks()
    {
        using var trimmer = Start();
        Interval(IdleMemoryTrimmer.BusyBytes);

        await trimmer.StopAsync(CancellationToken.None);
        Interval(0);

        Assert.Equal(0, _trims);
    }
}
