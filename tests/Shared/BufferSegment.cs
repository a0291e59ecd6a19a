using System.Buffers;

namespace PSSocketFtp.TestSupport;

/// <summary>One piece of a multi-segment <see cref="ReadOnlySequence{T}"/>, as a pipe hands out bytes that arrived in parts.</summary>
internal sealed class BufferSegment : ReadOnlySequenceSegment<byte>
{
    public BufferSegment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public BufferSegment Append(ReadOnlyMemory<byte> memory)
    {
        var next = new BufferSegment(memory, RunningIndex + Memory.Length);
        Next = next;
        return next;
    }
}
