using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging.Abstractions;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server.Tests;

/// <summary>Runs one session over in-memory pipes against a store that fails on purpose (a full disk cannot be staged on a real one).</summary>
public class SessionFaultTests
{
    [Fact]
    public async Task Upload_DiskFullDuringBody_ErrorAtOnceRestDiscardedConnectionContinues()
    {
        var store = new DiskFullStore();
        await using var peer = SessionPeer.Start(store);
        await peer.HandshakeAsync();
        int chunk = ProtocolConstants.DataChunkSize;
        await peer.SendAsync(1, new UploadRequest("", "big.bin", 3L * chunk));
        Assert.Equal(FrameType.Ready, (await peer.ReadFrameAsync()).Type);

        await peer.SendDataAsync(1, new byte[chunk]);

        var error = await peer.ReadFrameAsync();
        Assert.Equal((FrameType.Error, 1u, FtpStatus.InsufficientStorage), (error.Type, error.StreamId, error.Status));
        Assert.True(store.Upload.Disposed);
        await peer.SendDataAsync(1, new byte[chunk]);
        await peer.SendDataAsync(1, new byte[chunk]);
        await peer.SendAsync(1, EndTrailer.Empty);
        await peer.SendAsync(2, EmptyMessage.Ping);
        var next = await peer.ReadFrameAsync();
        Assert.True((next.Type, next.StreamId) == (FrameType.Ok, 2u), next.ToString());
    }

    /// <summary>The client's ends of a session's transport.</summary>
    private sealed class SessionPeer : IAsyncDisposable
    {
        private readonly Pipe _toServer = new();
        private readonly Pipe _toClient = new();
        private readonly Stream _input;
        private Task _session = Task.CompletedTask;

        private SessionPeer()
        {
            _input = _toClient.Reader.AsStream();
        }

        public static SessionPeer Start(IFileStore store)
        {
            var peer = new SessionPeer();
            var transport = new DuplexPipe(peer._toServer.Reader, peer._toClient.Writer);
            var connection = new DefaultConnectionContext("test", transport, new DuplexPipe(peer._toClient.Reader, peer._toServer.Writer));
            peer._session = new FtpConnectionSession(connection, store, new FtpServerOptions(), TimeProvider.System, NullLogger.Instance).RunAsync();
            return peer;
        }

        public async Task HandshakeAsync()
        {
            var hello = new byte[ProtocolConstants.HandshakeSize];
            // Version 1: the DATA frames below are built by hand in its format.
            Handshake.WriteHello(hello, 1, 1);
            await SendAsync(hello);
            var reply = new byte[ProtocolConstants.HandshakeSize];
            await ReadExactlyAsync(reply);
            Assert.Equal(1, Handshake.ReadReply(reply));
        }

        public async Task SendAsync(ReadOnlyMemory<byte> bytes)
        {
            await _toServer.Writer.WriteAsync(bytes);
        }

        public Task SendAsync(uint streamId, ControlMessage message) => SendAsync(message.ToWriter(streamId).ToFrame(1));

        public Task SendDataAsync(uint streamId, byte[] payload)
        {
            var frame = new byte[ProtocolConstants.HeaderSize + payload.Length];
            new FrameHeader(FrameType.Data, streamId, payload.Length).Write(frame);
            payload.CopyTo(frame, ProtocolConstants.HeaderSize);
            return SendAsync(frame);
        }

        public Task<Frame> ReadFrameAsync() => Frame.ReadAsync(ReadExactlyAsync, ProtocolConstants.MinVersion);

        public async ValueTask DisposeAsync()
        {
            await _toServer.Writer.CompleteAsync();
            await _session.WaitAsync(RawClient.Timeout);
        }

        private async Task ReadExactlyAsync(byte[] buffer)
        {
            using var cancel = new CancellationTokenSource(RawClient.Timeout);
            await _input.ReadExactlyAsync(buffer, cancel.Token);
        }

        private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
        {
            public PipeReader Input => input;

            public PipeWriter Output => output;
        }
    }

    /// <summary>Accepts an upload, then fails its first write the way a full disk does.</summary>
    private sealed class DiskFullStore : IFileStore
    {
        public FailingUpload Upload { get; } = new();

        public string Description => "a full disk";

        public string? LocalFolder => null;

        public Task<IUploadSession> BeginUploadAsync(UploadRequest request, CancellationToken cancellationToken) => Task.FromResult<IUploadSession>(Upload);

        public Task<UploadResult?> FindCommittedAsync(UploadRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

        public IAsyncEnumerable<RemoteEntry> ListAsync(string path, bool recursive, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<RemoteEntry> StatAsync(string path, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<FileDownload> OpenReadAsync(string path, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task DeleteAsync(string path, bool recursive, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<RemoteEntry> CreateFolderAsync(string path, bool existingOk, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<RemoteEntry> RenameAsync(string path, string target, bool replace, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<int> SweepPartialsAsync(TimeSpan maxAge, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class FailingUpload : IUploadSession
    {
        public bool Disposed { get; private set; }

        public long Offset => 0;

        public Task HashPrefixAsync(TransferHash hash, CancellationToken cancellationToken) => Task.CompletedTask;

        public ValueTask DiscardAsync() => DisposeAsync();

        public ValueTask WriteAsync(ReadOnlySequence<byte> data, CancellationToken cancellationToken) =>
            throw new IOException("No space left on device", OperatingSystem.IsWindows() ? unchecked((int)0x80070070) : 28);

        public Task<UploadResult> CommitAsync(byte[]? hash, CancellationToken cancellationToken) => throw new InvalidOperationException("A failed upload must not be committed.");

        public ValueTask DisposeAsync()
        {
            Disposed = true;
            return ValueTask.CompletedTask;
        }
    }
}
