using System.Buffers;
using BenchmarkDotNet.Attributes;
using PSSocketFtp.Protocol;
using PSSocketFtp.TestSupport;
using PSSocketFtp.Protocol.Framing;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Benchmarks;

/// <summary>
/// Frame headers written and read as both ends do, in protocol version 1 (10 bytes, no checks) and 2 (18 bytes: the
/// XXH3 check of the payload and of the header). Two frames: a 256 KiB DATA frame (the senders' chunk) and a small
/// request (an UPLOAD). Reading goes through <see cref="FrameReader"/>, payload check included; the DATA frame is read
/// both from one buffer (the client's) and from 64 KiB pieces (the server's pipe).
/// </summary>
[MemoryDiagnoser]
public class FrameHeaderBenchmarks
{
    private byte[] _dataFrame = [];
    private byte[] _requestFrame = [];
    private ReadOnlySequence<byte> _dataSingle;
    private ReadOnlySequence<byte> _dataPieces;
    private ReadOnlySequence<byte> _request;
    private int _requestPayload;

    /// <summary>The protocol version.</summary>
    [Params((byte)1, (byte)2)]
    public byte Version { get; set; }

    /// <summary>Builds one frame of each kind in <see cref="Version"/>.</summary>
    [GlobalSetup]
    public void Setup()
    {
        int header = FrameHeader.Size(Version);
        _dataFrame = new byte[header + ProtocolConstants.DataChunkSize];
        new Random(11).NextBytes(_dataFrame.AsSpan(header));
        new FrameHeader(FrameType.Data, 1, ProtocolConstants.DataChunkSize).Write(_dataFrame, Version, _dataFrame.AsSpan(header));
        _dataSingle = new ReadOnlySequence<byte>(_dataFrame);
        _dataPieces = Sequences.Segmented(_dataFrame, 64 * 1024);

        _requestFrame = new UploadRequest("/incoming/reports/2024", "quarterly-report.xlsx", 1_234_567, ConflictMode.Rename, "3f2a9c0e4b7d", false, FtpHashAlgorithm.XxHash128)
            .ToWriter(1).ToFrame(Version).ToArray();
        _request = new ReadOnlySequence<byte>(_requestFrame);
        _requestPayload = _requestFrame.Length - header;
    }

    /// <summary>The header in front of a 256 KiB DATA payload (version 2: the payload's check is most of it).</summary>
    [Benchmark]
    public void WriteDataHeader() =>
        new FrameHeader(FrameType.Data, 1, ProtocolConstants.DataChunkSize).Write(_dataFrame, Version, _dataFrame.AsSpan(FrameHeader.Size(Version)));

    /// <summary>A 256 KiB DATA frame from one buffer: header, limit and payload check.</summary>
    [Benchmark]
    public long ReadDataFrame() => ReadFrame(_dataSingle);

    /// <summary>The same frame from 64 KiB pieces, as the server's pipe holds it.</summary>
    [Benchmark]
    public long ReadDataFrameInPieces() => ReadFrame(_dataPieces);

    /// <summary>The header in front of an UPLOAD request's payload.</summary>
    [Benchmark]
    public void WriteRequestHeader() =>
        new FrameHeader(FrameType.Upload, 1, _requestPayload).Write(_requestFrame, Version, _requestFrame.AsSpan(FrameHeader.Size(Version)));

    /// <summary>An UPLOAD request's frame: header and payload check (not its fields; see <see cref="MessageBenchmarks"/>).</summary>
    [Benchmark]
    public long ReadRequestFrame() => ReadFrame(_request);

    private long ReadFrame(ReadOnlySequence<byte> buffer)
    {
        if (!FrameReader.TryReadFrame(ref buffer, Version, out var header, out var payload))
        {
            throw new InvalidOperationException("The frame was not whole.");
        }
        return header.StreamId + payload.Length;
    }
}
