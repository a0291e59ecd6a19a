using System.Buffers;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Client;

/// <summary>
/// A whole frame read from the server, its checks passed. A DATA payload lives in an array rented from the shared pool
/// (it may be longer than the payload), which <see cref="Release"/> gives back once its bytes are used.
/// </summary>
internal readonly struct ReceivedFrame(FrameHeader header, byte[] payload)
{
    public FrameHeader Header { get; } = header;

    /// <summary>The payload, in its first <see cref="FrameHeader.PayloadLength"/> bytes.</summary>
    public byte[] Payload { get; } = payload;

    /// <summary>Gives a DATA payload's array back to the pool; nothing may use it afterwards.</summary>
    public void Release()
    {
        if (Header.Type == FrameType.Data)
        {
            ArrayPool<byte>.Shared.Return(Payload);
        }
    }
}
