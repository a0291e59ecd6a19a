using System.Buffers;
using Microsoft.AspNetCore.Connections;

namespace PSSocketFtp.Server;

/// <summary>
/// Gives Kestrel's socket transport <see cref="TransportMemoryPool"/>s in place of its pools of 4 KiB blocks, and keeps
/// them so that <see cref="IdleMemoryTrimmer"/> can let their spare blocks go.
/// </summary>
internal sealed class TransportMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    private readonly Lock _lock = new();
    private readonly List<TransportMemoryPool> _pools = [];

    /// <inheritdoc />
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null)
    {
        var pool = new TransportMemoryPool();
        lock (_lock)
        {
            _pools.Add(pool);
        }
        return pool;
    }

    /// <summary>Lets every pool's blocks kept for reuse go (<see cref="TransportMemoryPool.Trim"/>).</summary>
    public void Trim()
    {
        lock (_lock)
        {
            foreach (var pool in _pools)
            {
                pool.Trim();
            }
        }
    }
}
