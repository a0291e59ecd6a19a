using System.Buffers;
using Microsoft.AspNetCore.Connections;

namespace PSSocketFtp.Server;

/// <summary>Gives Kestrel's socket transport <see cref="TransportMemoryPool"/>s in place of its pools of 4 KiB blocks.</summary>
internal sealed class TransportMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    /// <inheritdoc />
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => new TransportMemoryPool();
}
