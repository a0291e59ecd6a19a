using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Protocol.Tests.Messages;

public class EntriesBatchTests
{
    // An entry's fields besides its path: the path's field header, kind, length and time, each with its 3-byte header.
    private const int EntryOverhead = 3 + 4 + 11 + 11;

    [Theory]
    [InlineData(1, 10)]
    [InlineData(3000, 1)]
    [InlineData(500, 400)]
    [InlineData(40, 4000)]
    public void TryAdd_ManyEntries_TheFramesTheServerSendsToday(int count, int maxPathLength)
    {
        var random = new Random(count);
        var entries = Enumerable.Range(0, count)
            .Select(i => new RemoteEntry(new string('a', random.Next(1, maxPathLength + 1)), ItemKind.File, i, DateTimeOffset.FromUnixTimeMilliseconds(i)))
            .ToList();

        var (frames, total) = Batched(entries);

        Assert.Equal(ServerFramesToday(entries), frames);
        Assert.Equal(count, total);
        Assert.True(frames.Count > 1 || count * (maxPathLength + EntryOverhead + 3) < ProtocolConstants.MaxControlPayload);
    }

    [Fact]
    public void TryAdd_EntriesThatFillTheFrameExactly_NextEntryStartsTheNextFrame()
    {
        // Two entries of exactly half the control-frame limit each, with their field headers.
        int pathLength = (ProtocolConstants.MaxControlPayload / 2) - EntryOverhead - 3;
        var entries = Enumerable.Range(0, 3).Select(i => new RemoteEntry(new string('x', pathLength), ItemKind.File, i, DateTimeOffset.UnixEpoch)).ToList();

        var (frames, _) = Batched(entries);

        Assert.Equal(2, frames.Count);
        Assert.Equal(ProtocolConstants.HeaderSize + ProtocolConstants.MaxControlPayload, frames[0].Length);
        Assert.Equal(ServerFramesToday(entries), frames);
    }

    [Fact]
    public void TryAdd_EveryFrame_WholeEntriesWithinTheLimit()
    {
        var entries = Enumerable.Range(0, 2000).Select(i => new RemoteEntry($"folder/{i:D6}-{new string('n', i % 300)}", ItemKind.File, i, DateTimeOffset.UnixEpoch)).ToList();

        var (frames, _) = Batched(entries);

        var read = frames.SelectMany(f => EntriesAnswer.Read(FieldSet.Parse(f.AsMemory(ProtocolConstants.HeaderSize))).Entries).ToList();
        Assert.Equal(entries, read);
        Assert.All(frames, f => Assert.True(f.Length - ProtocolConstants.HeaderSize <= ProtocolConstants.MaxControlPayload));
    }

    [Fact]
    public void Next_NoEntryWaiting_Throws()
    {
        var batch = new EntriesBatch(1);
        batch.TryAdd(new RemoteEntry("a", ItemKind.File, 0, DateTimeOffset.UnixEpoch));

        Assert.Throws<InvalidOperationException>(batch.Next);
    }

    /// <summary>The listing sent through <see cref="EntriesBatch"/> as its example shows, as version 1 frames.</summary>
    private static (List<byte[]> Frames, long Count) Batched(IEnumerable<RemoteEntry> entries)
    {
        var frames = new List<byte[]>();
        var batch = new EntriesBatch(5);
        foreach (var entry in entries)
        {
            if (!batch.TryAdd(entry))
            {
                frames.Add(batch.Frame.ToFrame(1).ToArray());
                batch.Next();
            }
        }
        if (!batch.IsEmpty)
        {
            frames.Add(batch.Frame.ToFrame(1).ToArray());
        }
        return (frames, batch.Count);
    }

    /// <summary>Server/Session/Requests/FtpConnectionSession.List.cs ListAsync as it batched by hand before it used this type, as version 1 frames.</summary>
    private static List<byte[]> ServerFramesToday(IEnumerable<RemoteEntry> entries)
    {
        var frames = new List<byte[]>();
        var batch = FieldWriter.ForFrame(FrameType.Entries, 5);
        foreach (var entry in entries)
        {
            var nested = entry.WriteTo(FieldWriter.ForFields());
            if (batch.Fields.Length + 3 + nested.Fields.Length > ProtocolConstants.MaxControlPayload)
            {
                frames.Add(batch.ToFrame(1).ToArray());
                batch.Reset();
            }
            batch.Add(FieldTag.Entry, nested);
        }
        if (batch.Fields.Length > 0)
        {
            frames.Add(batch.ToFrame(1).ToArray());
        }
        return frames;
    }
}
