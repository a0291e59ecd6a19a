using Microsoft.Extensions.Hosting;

namespace PSSocketFtp.Server;

/// <summary>
/// Gives the memory of a busy spell back to the system once the server has gone quiet. The workstation GC's gen0
/// budget follows the L3 cache (32 MiB on the bench's VM), and the regions a burst of requests filled stay committed
/// after the collections that emptied them, since the GC decommits only a little at each later collection and a quiet
/// server runs none. So a server that had served many small files sat at 51 MiB (27 anonymous) where a fresh one sits
/// at 29, and 100 uploading sessions then peaked on top of that (docs/performance.md, "Memory"). Every
/// <see cref="Interval"/> it compares the bytes allocated so far: when nothing to speak of was allocated in the last one
/// and at least <see cref="BusyBytes"/> since the last trim, it trims once (an aggressive, compacting full
/// collection, which decommits what is free); while the server stays quiet it does nothing more.
/// </summary>
internal sealed class IdleMemoryTrimmer(TimeProvider timeProvider, Func<long> allocatedBytes, Action trim) : IHostedService, IDisposable
{
    /// <summary>How often the allocations are compared.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    /// <summary>Allocated in one <see cref="Interval"/> and still quiet: a timer, a log line, an idle connection's keep-alive.</summary>
    public const long QuietBytes = 256 * 1024;

    /// <summary>Allocated since the last trim before another is worth a full collection.</summary>
    public const long BusyBytes = 8 * 1024 * 1024;

    private readonly Lock _lock = new();
    private ITimer? _timer;
    private long _atLastTick;
    private long _atLastTrim;

    /// <summary>
    /// The server's trimmer: the process's allocations; the transport's spare blocks let go (after 100 sessions they held
    /// 8 MiB for good), then an aggressive full collection.
    /// </summary>
    public IdleMemoryTrimmer(TimeProvider timeProvider, TransportMemoryPoolFactory pools)
        : this(timeProvider, () => GC.GetTotalAllocatedBytes(), () =>
        {
            pools.Trim();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        })
    {
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _atLastTick = _atLastTrim = allocatedBytes();
        _timer = timeProvider.CreateTimer(_ => Tick(), null, Interval, Interval);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public void Dispose() => _timer?.Dispose();

    private void Tick()
    {
        lock (_lock)
        {
            long now = allocatedBytes();
            bool quiet = now - _atLastTick < QuietBytes;
            _atLastTick = now;
            if (quiet && now - _atLastTrim >= BusyBytes)
            {
                trim();
                _atLastTick = _atLastTrim = allocatedBytes();
            }
        }
    }
}
