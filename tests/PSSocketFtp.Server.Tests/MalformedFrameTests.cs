using System.Buffers.Binary;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server.Tests;

public class MalformedFrameTests
{
    // Built byte by byte: each frame is malformed on purpose, which no message type can write.
    public static TheoryData<string, byte[], FtpStatus> BadFrames => new()
    {
        { "garbage header", Enumerable.Repeat((byte)0xFF, ProtocolConstants.HeaderSize).ToArray(), FtpStatus.FrameTooLarge },
        { "oversize control frame", Header(FrameType.List, 1, ProtocolConstants.MaxControlPayload + 1), FtpStatus.FrameTooLarge },
        { "oversize data frame", Header(FrameType.Data, 1, ProtocolConstants.MaxDataPayload + 1), FtpStatus.FrameTooLarge },
        { "truncated field", [.. Header(FrameType.Stat, 1, 5), (byte)FieldTag.Path, 0, 10, (byte)'a', (byte)'b'], FtpStatus.MalformedFrame },
        { "field header cut short", [.. Header(FrameType.Stat, 1, 2), (byte)FieldTag.Path, 0], FtpStatus.MalformedFrame },
        { "invalid UTF-8", [.. Header(FrameType.Stat, 1, 5), (byte)FieldTag.Path, 0, 2, 0xC3, 0x28], FtpStatus.MalformedFrame },
        { "wrong-size integer", [.. Header(FrameType.Upload, 1, 5), (byte)FieldTag.Length, 0, 2, 0, 1], FtpStatus.MalformedFrame },
        { "DATA outside a body", [.. Header(FrameType.Data, 1, 3), 1, 2, 3], FtpStatus.MalformedFrame },
        { "END outside a body", Header(FrameType.End, 1, 0), FtpStatus.MalformedFrame },
        { "unknown type", Header((FrameType)0x42, 1, 0), FtpStatus.UnknownRequest },
        { "response type from a client", Header(FrameType.Ok, 1, 0), FtpStatus.UnknownRequest },
        { "request on stream 0", Header(FrameType.Ping, 0, 0), FtpStatus.MalformedFrame },
    };

    [Theory]
    [MemberData(nameof(BadFrames))]
    public async Task AnyFrame_Malformed_ErrorOnStream0ThenClosed(string what, byte[] bytes, FtpStatus expected)
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();

        await client.SendAsync(bytes);

        var error = await client.ExpectErrorAsync(0, expected);
        Assert.False(string.IsNullOrEmpty(error.Fields.GetString(FieldTag.Message)), what);
        client.ShutdownSend();
        await client.ExpectClosedAsync();
        using var other = await server.ConnectAsync();
        Assert.Equal(FrameType.Ok, (await other.RequestAsync(EmptyMessage.Ping)).Type);
    }

    [Fact]
    public async Task AnyFrame_MalformedAndClientStaysSilent_ServerClosesAnyway()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();

        await client.SendAsync(Header((FrameType)0x42, 1, 0));

        await client.ExpectErrorAsync(0, FtpStatus.UnknownRequest);
        await client.ExpectClosedAsync();
    }

    [Fact]
    public async Task Request_NewRequestInsideUploadBody_ErrorOnStream0ThenClosed()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();
        uint id = client.NextStreamId();
        await client.SendAsync(id, new UploadRequest("", "x.bin", 10));
        await client.ExpectAsync(FrameType.Ready, id);

        await client.SendAsync(id + 1, EmptyMessage.Ping);

        await client.ExpectErrorAsync(0, FtpStatus.MalformedFrame);
        client.ShutdownSend();
        await client.ExpectClosedAsync();
        await server.Log.WaitForAsync(m => m.Contains($":{client.LocalEndPoint.Port} disconnected"));
        Assert.Empty(Directory.GetFiles(server.PartialFolder));
    }

    private static byte[] Header(FrameType type, uint streamId, int length)
    {
        var header = new byte[ProtocolConstants.HeaderSize];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)length);
        header[4] = (byte)type;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(6), streamId);
        return header;
    }
}
