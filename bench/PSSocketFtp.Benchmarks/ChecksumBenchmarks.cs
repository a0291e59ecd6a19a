using System.Buffers;
using BenchmarkDotNet.Attributes;
using PSSocketFtp.Protocol;
using PSSocketFtp.TestSupport;

namespace PSSocketFtp.Benchmarks;

/// <summary>
/// The checks every byte of a transfer passes through, over one 256 KiB DATA chunk: the version 2 frame check (XXH3,
/// through <see cref="FrameHeader.CheckPayload(ReadOnlySpan{byte})"/>, as the receiver runs it) from one buffer and
/// from 64 KiB pieces, and the whole-file <see cref="TransferHash"/> (XXH128 by default, SHA-256 on request) appended
/// from an array, as the client and the server's pooled blocks do, and from a span.
/// </summary>
[MemoryDiagnoser]
public class ChecksumBenchmarks
{
    private const int Chunk = ProtocolConstants.DataChunkSize;
    private byte[] _chunk = [];
    private ReadOnlySequence<byte> _pieces;
    private FrameHeader _header;
    private TransferHash _xxh128 = null!;
    private TransferHash _sha256 = null!;

    /// <summary>One chunk of random bytes, a version 2 header that carries its check, and a hash of each kind.</summary>
    [GlobalSetup]
    public void Setup()
    {
        int size = FrameHeader.Size(ProtocolConstants.ChecksumVersion);
        var frame = new byte[size + Chunk];
        new Random(11).NextBytes(frame.AsSpan(size));
        new FrameHeader(FrameType.Data, 1, Chunk).Write(frame, ProtocolConstants.ChecksumVersion, frame.AsSpan(size));
        _header = FrameHeader.Read(frame, ProtocolConstants.ChecksumVersion);
        _chunk = frame.AsSpan(size).ToArray();
        _pieces = Sequences.Segmented(_chunk, 64 * 1024);
        _xxh128 = TransferHash.Create(FtpHashAlgorithm.XxHash128);
        _sha256 = TransferHash.Create(FtpHashAlgorithm.Sha256);
    }

    /// <summary>Frees the hashes.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _xxh128.Dispose();
        _sha256.Dispose();
    }

    /// <summary>The frame check (XXH3) of a chunk in one buffer.</summary>
    [Benchmark(Baseline = true)]
    public void FrameCheck() => _header.CheckPayload(_chunk);

    /// <summary>The frame check of a chunk in four 64 KiB pieces.</summary>
    [Benchmark]
    public void FrameCheckInPieces() => _header.CheckPayload(_pieces);

    /// <summary>XXH128 of a chunk from an array.</summary>
    [Benchmark]
    public void Xxh128Array() => _xxh128.Append(_chunk, 0, Chunk);

    /// <summary>XXH128 of a chunk from a span.</summary>
    [Benchmark]
    public void Xxh128Span() => _xxh128.Append(_chunk.AsSpan());

    /// <summary>SHA-256 of a chunk from an array.</summary>
    [Benchmark]
    public void Sha256Array() => _sha256.Append(_chunk, 0, Chunk);

    /// <summary>SHA-256 of a chunk from a span.</summary>
    [Benchmark]
    public void Sha256Span() => _sha256.Append(_chunk.AsSpan());
}
