using BenchmarkDotNet.Attributes;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Benchmarks;

/// <summary>
/// Typed messages as the ends send and read them (version 2 frames): a request (UPLOAD, every field set) and two
/// answers (READY, and the OK after an upload with its XXH128). Encoding builds the frame from the record, as
/// <c>SendAsync(message)</c> does; decoding splits a received payload into fields and reads the record, as the receiver does.
/// </summary>
[MemoryDiagnoser]
public class MessageBenchmarks
{
    private readonly UploadRequest _upload = new("/incoming/reports/2024", "quarterly-report.xlsx", 1_234_567, ConflictMode.Rename, "3f2a9c0e4b7d", false, FtpHashAlgorithm.XxHash128);
    private readonly ReadyAnswer _ready = new(0);
    private readonly UploadAnswer _uploaded = new("/incoming/reports/2024/quarterly-report.xlsx", 1_234_567, false, "XXH128", Enumerable.Range(0, 16).Select(i => (byte)i).ToArray());
    private ReadOnlyMemory<byte> _uploadPayload;
    private ReadOnlyMemory<byte> _readyPayload;
    private ReadOnlyMemory<byte> _uploadedPayload;

    /// <summary>The payloads the decoders read: each message's frame without its header.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _uploadPayload = Payload(_upload);
        _readyPayload = Payload(_ready);
        _uploadedPayload = Payload(_uploaded);
    }

    /// <summary>UPLOAD to a frame.</summary>
    [Benchmark]
    public int EncodeUploadRequest() => _upload.ToWriter(1).ToFrame(ProtocolConstants.Version).Length;

    /// <summary>UPLOAD from a payload, with the server's checks.</summary>
    [Benchmark]
    public long DecodeUploadRequest() => UploadRequest.Read(FieldSet.Parse(_uploadPayload)).Length;

    /// <summary>READY to a frame.</summary>
    [Benchmark]
    public int EncodeReadyAnswer() => _ready.ToWriter(1).ToFrame(ProtocolConstants.Version).Length;

    /// <summary>READY from a payload, as the uploading client reads it.</summary>
    [Benchmark]
    public long DecodeReadyAnswer() => ReadyAnswer.ReadForUpload(FieldSet.Parse(_readyPayload), 1_234_567).Offset;

    /// <summary>The OK after an upload to a frame.</summary>
    [Benchmark]
    public int EncodeUploadAnswer() => _uploaded.ToWriter(1).ToFrame(ProtocolConstants.Version).Length;

    /// <summary>The OK after an upload from a payload.</summary>
    [Benchmark]
    public int DecodeUploadAnswer() => UploadAnswer.Read(FieldSet.Parse(_uploadedPayload)).Path.Length;

    private static ReadOnlyMemory<byte> Payload(ControlMessage message) =>
        message.ToWriter(1).ToFrame(ProtocolConstants.Version).Slice(FrameHeader.Size(ProtocolConstants.Version)).ToArray();
}
