using System.Collections.Concurrent;

namespace PSSocketFtp.Commands;

/// <summary>
/// Hands batches from the client's threads to the pipeline thread, at most a few ahead: the client's next read waits
/// for room, so a slow pipeline slows the listing down instead of filling memory.
/// </summary>
internal sealed class BatchHandoff<T> : IDisposable
{
    private readonly ConcurrentQueue<IReadOnlyList<T>> _batches = new();
    private readonly SemaphoreSlim _room;
    // One count per batch queued, and one more when the producer ended: the taker then finds no batch and stops.
    private readonly SemaphoreSlim _ready = new(0);

    public BatchHandoff(int capacity) => _room = new SemaphoreSlim(capacity, capacity);

    /// <summary>Queues a batch once there is room (the producer's side).</summary>
    public async Task AddAsync(IReadOnlyList<T> batch, CancellationToken cancellationToken)
    {
        await _room.WaitAsync(cancellationToken).ConfigureAwait(false);
        _batches.Enqueue(batch);
        _ready.Release();
    }

    /// <summary>Says the producer ended; called after its last <see cref="AddAsync"/> ended.</summary>
    public void Complete() => _ready.Release();

    /// <summary>Waits for the next batch; false once the producer ended and every batch was taken.</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public bool TryTake(CancellationToken cancellationToken, out IReadOnlyList<T> batch)
    {
        _ready.Wait(cancellationToken);
        if (_batches.TryDequeue(out batch!))
        {
            _room.Release();
            return true;
        }
        return false;
    }

    public void Dispose()
    {
        _room.Dispose();
        _ready.Dispose();
    }
}
