using System.Buffers;

namespace PSSocketFtp.Benchmarks;

/// <summary>Bytes cut into a chain of buffers, as a pipe hands them out (Kestrel's transport here uses 64 KiB blocks).</summary>
internal static class Segments
{
    /// <summary>A sequence over <paramref name="bytes"/> in pieces of <paramref name="segmentSize"/>, each its own array.</summary>
    public static ReadOnlySequence<byte> Of(byte[] bytes, int segmentSize)
    {
        if (bytes.Length <= segmentSize)
        {
            return new ReadOnlySequence<byte>(bytes);
        }
        Segment? first = null;
        Segment? last = null;
        for (int offset = 0; offset < bytes.Length; offset += segmentSize)
        {
            var piece = bytes.AsSpan(offset, Math.Min(segmentSize, bytes.Length - offset)).ToArray();
            last = last is null ? first = new Segment(piece, 0) : last.Append(piece);
        }
        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
