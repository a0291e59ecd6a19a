using BenchmarkDotNet.Attributes;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Benchmarks;

/// <summary>
/// A listing of 1,000 entries (paths of about 40 bytes), in version 2 ENTRIES frames: the server's side fills frames with
/// <see cref="EntriesBatch"/> (one batch per listing, as it does), the client's side splits each received payload into
/// fields and reads its <see cref="EntriesAnswer"/>.
/// </summary>
[MemoryDiagnoser]
public class ListingBenchmarks
{
    private RemoteEntry[] _entries = [];
    private ReadOnlyMemory<byte>[] _payloads = [];

    /// <summary>Entries in the listing.</summary>
    [Params(1_000)]
    public int Count { get; set; }

    /// <summary>The entries, and the frames' payloads the decoder reads.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var time = new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
        _entries = Enumerable.Range(0, Count)
            .Select(i => new RemoteEntry($"/data/projects/archive/item-{i:D5}.bin", i % 10 == 0 ? ItemKind.Directory : ItemKind.File, i * 4096L, time.AddSeconds(i)))
            .ToArray();
        int header = FrameHeader.Size(ProtocolConstants.Version);
        var payloads = new List<byte[]>();
        Encode(payloads);
        _payloads = payloads.Select(frame => (ReadOnlyMemory<byte>)frame.AsSpan(header).ToArray()).ToArray();
    }

    /// <summary>All entries to frames; returns the bytes sent.</summary>
    [Benchmark]
    public long EncodeListing() => Encode(keep: null);

    /// <summary>All frames back to entries; returns the entries read.</summary>
    [Benchmark]
    public int DecodeListing()
    {
        int count = 0;
        foreach (var payload in _payloads)
        {
            count += EntriesAnswer.Read(FieldSet.Parse(payload)).Entries.Count;
        }
        return count != Count ? throw new InvalidOperationException($"Read {count} entries of {Count}.") : count;
    }

    // "Sends" each frame by counting its bytes, and keeps a copy of it when asked.
    private long Encode(List<byte[]>? keep)
    {
        long bytes = 0;
        var batch = new EntriesBatch(1);
        foreach (var entry in _entries)
        {
            if (!batch.TryAdd(entry))
            {
                bytes += Send(batch.Frame.ToFrame(ProtocolConstants.Version), keep);
                batch.Next();
            }
        }
        if (!batch.IsEmpty)
        {
            bytes += Send(batch.Frame.ToFrame(ProtocolConstants.Version), keep);
        }
        return bytes;
    }

    private static int Send(ReadOnlyMemory<byte> frame, List<byte[]>? keep)
    {
        keep?.Add(frame.ToArray());
        return frame.Length;
    }
}
