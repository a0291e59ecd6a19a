using System.Buffers;

namespace PSSocketFtp.TestSupport;

/// <summary>Bytes as a transport may deliver them: in several segments, cut anywhere.</summary>
internal static class Sequences
{
    /// <summary>The bytes in segments of <paramref name="size"/> bytes (the last one shorter).</summary>
    public static ReadOnlySequence<byte> Segmented(byte[] bytes, int size)
    {
        var cuts = new List<int>();
        for (int offset = size; offset < bytes.Length; offset += size)
        {
            cuts.Add(offset);
        }
        return Split(bytes, cuts.ToArray());
    }

    /// <summary>The bytes cut at each of <paramref name="cuts"/> (ascending offsets); a cut at 0 or at the end makes an empty segment.</summary>
    public static ReadOnlySequence<byte> Split(byte[] bytes, params int[] cuts)
    {
        BufferSegment? first = null, last = null;
        int start = 0;
        foreach (int end in cuts.Append(bytes.Length))
        {
            var memory = bytes.AsMemory(start, end - start);
            last = last is null ? first = new BufferSegment(memory, 0) : last.Append(memory);
            start = end;
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }
}
