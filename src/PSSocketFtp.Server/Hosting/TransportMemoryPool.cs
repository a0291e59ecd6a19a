using System.Buffers;
using System.Collections.Concurrent;

namespace PSSocketFtp.Server;

/// <summary>
/// The socket transport's buffers: pinned 64 KiB blocks. Kestrel's own pool hands out 4 KiB blocks, and its socket
/// transport receives into the room left in the current block, so a 1 GiB upload took some 500,000 receive calls of
/// 2 KiB on average (strace), which cost most of the server's CPU time; vsftpd reads 64 KiB at a time. With these
/// blocks one receive takes what the kernel holds. An idle connection holds no block (the transport waits for data
/// before it asks for one), and a busy one at most its read buffer limit, as before.
/// </summary>
internal sealed class TransportMemoryPool : MemoryPool<byte>
{
    /// <summary>The size of every block.</summary>
    public const int BlockSize = 64 * 1024;

    /// <summary>
    /// What the socket transport buffers for one connection before it stops receiving (its
    /// <c>SocketTransportOptions.MaxReadBufferSize</c>, 1 MiB by default): a whole DATA payload of the clients' size
    /// (<see cref="PSSocketFtp.Protocol.ProtocolConstants.DataChunkSize"/>), which the server reads only once it is all
    /// there (so that it is checked before it is written), and one block beyond it, so that the next frame's first bytes
    /// are already on their way. With Kestrel's default, 100 sessions uploading at once on two cores held up to 1 MiB
    /// of blocks each. A larger payload (the protocol allows 1 MiB) is copied out as it comes, so that this bound holds
    /// for it too (FtpConnectionSession.ReceiveCopiedPayloadAsync).
    /// </summary>
    public const int MaxReadBufferSize = PSSocketFtp.Protocol.ProtocolConstants.DataChunkSize + BlockSize;

    // Blocks kept for reuse; the rest go back to the GC, so that a burst of transfers does not pin memory for good.
    private const int MaxRetained = 128;

    private readonly ConcurrentQueue<byte[]> _free = new();
    private int _retained;

    /// <summary>How many returned blocks are kept for reuse now.</summary>
    internal int Retained => Volatile.Read(ref _retained);

    /// <inheritdoc />
    public override int MaxBufferSize => BlockSize;

    /// <inheritdoc />
    public override IMemoryOwner<byte> Rent(int minBufferSize = -1)
    {
        if (minBufferSize > BlockSize)
        {
            throw new ArgumentOutOfRangeException(nameof(minBufferSize), minBufferSize, $"The blocks of this pool are {BlockSize} bytes.");
        }
        if (_free.TryDequeue(out var block))
        {
            Interlocked.Decrement(ref _retained);
        }
        else
        {
            // Pinned, as a socket's buffer is pinned for every receive anyway; uninitialized, as it is written before it is read.
            block = GC.AllocateUninitializedArray<byte>(BlockSize, pinned: true);
        }
        return new Block(this, block);
    }

    /// <summary>
    /// Lets the blocks kept for reuse go to the GC: after a burst of connections the pool holds up to
    /// <see cref="MaxRetained"/> of them (8 MiB, pinned, which no compaction moves), which a quiet server does not need
    /// (<see cref="IdleMemoryTrimmer"/>). Blocks rented meanwhile are returned as usual.
    /// </summary>
    public void Trim()
    {
        while (_free.TryDequeue(out _))
        {
            Interlocked.Decrement(ref _retained);
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing) => Trim();

    private void Return(byte[] block)
    {
        if (Interlocked.Increment(ref _retained) <= MaxRetained)
        {
            _free.Enqueue(block);
        }
        else
        {
            Interlocked.Decrement(ref _retained);
        }
    }

    /// <summary>One rented block; disposing it returns it to the pool, once.</summary>
    private sealed class Block(TransportMemoryPool pool, byte[] array) : IMemoryOwner<byte>
    {
        private byte[]? _array = array;

        public Memory<byte> Memory => _array ?? throw new ObjectDisposedException(nameof(Block));

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _array, null) is { } returned)
            {
                pool.Return(returned);
            }
        }
    }
}
