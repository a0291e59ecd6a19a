using System.Buffers;
using System.IO.Hashing;

namespace PSSocketFtp.Protocol;

/// <summary>
/// The 32-bit check of version 2 frames and handshakes: the low 32 bits of XXH3-64 (seed 0). Not CRC-32: every byte of
/// every DATA payload passes through it on both ends, and System.IO.Hashing's XXH3 runs about three times the speed of
/// its CRC-32 on .NET 8 and ten times on the netstandard2.0 build that Windows PowerShell loads.
/// </summary>
internal static class FrameChecksum
{
    // One incremental hash per thread for payloads in several buffers: XxHash3 is a class of about 570 bytes, and the
    // server's pipe holds every 256 KiB DATA payload in several 64 KiB blocks, so a new one would be an allocation per
    // frame (bench/PSSocketFtp.Benchmarks, FrameCheckInPieces). The check runs to its end on one thread, never awaiting.
    [ThreadStatic]
    private static XxHash3? t_hash;

    /// <summary>The check of <paramref name="bytes"/>.</summary>
    public static uint Of(ReadOnlySpan<byte> bytes) => unchecked((uint)XxHash3.HashToUInt64(bytes));

    /// <summary>The check of bytes that lie in several buffers (a pipe's).</summary>
    public static uint Of(in ReadOnlySequence<byte> bytes)
    {
        if (bytes.IsSingleSegment)
        {
            return Of(bytes.First.Span);
        }
        var hash = t_hash ??= new XxHash3();
        hash.Reset();
        foreach (var segment in bytes)
        {
            hash.Append(segment.Span);
        }
        return unchecked((uint)hash.GetCurrentHashAsUInt64());
    }
}
