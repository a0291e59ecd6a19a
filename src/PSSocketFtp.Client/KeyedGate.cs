namespace PSSocketFtp.Client;

/// <summary>
/// Lets one holder at a time have a key: two transfers of a session that would share a partial file (the same upload
/// id, or the same local file to download into) take turns, as they did when the session ran one operation at a time,
/// while transfers with other keys run at once.
/// </summary>
internal sealed class KeyedGate
{
    private readonly Dictionary<string, Holder> _holders = new(StringComparer.Ordinal);

    /// <summary>Waits until <paramref name="key"/> is free and takes it; disposing the result gives it back.</summary>
    public async Task<IDisposable> EnterAsync(string key, CancellationToken cancellationToken)
    {
        Holder holder;
        lock (_holders)
        {
            if (!_holders.TryGetValue(key, out holder!))
            {
                _holders[key] = holder = new Holder(this, key);
            }
            holder.Users++;
        }
        try
        {
            await holder.Turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            holder.Leave(taken: false);
            throw;
        }
        return holder.Lease();
    }

    /// <summary>A key's turn and how many hold or wait for it; the key is forgotten when none do.</summary>
    private sealed class Holder(KeyedGate gate, string key)
    {
        public SemaphoreSlim Turn { get; } = new(1, 1);

        public int Users { get; set; }

        public IDisposable Lease() => new Lease(this);

        public void Leave(bool taken)
        {
            if (taken)
            {
                Turn.Release();
            }
            lock (gate._holders)
            {
                if (--Users == 0)
                {
                    gate._holders.Remove(key);
                }
            }
        }
    }

    private sealed class Lease(Holder holder) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                holder.Leave(taken: true);
            }
        }
    }
}
