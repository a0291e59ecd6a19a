using System.Net;
using System.Net.Sockets;

namespace PSSocketFtp.S3.Tests;

/// <summary>
/// What HAProxy does when a server goes down, in a test: the first connection goes to <c>first</c> and is cut once the
/// client has sent <c>cutAfter</c> bytes; every later one (the client's retry) goes to <c>then</c>. Counts the bytes each
/// side was sent by the client, so a test can tell a resume from a new upload.
/// </summary>
internal sealed class SwitchingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _first;
    private readonly IPEndPoint _then;
    private readonly long _cutAfter;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _connections;
    private long _sentToThen;

    public SwitchingProxy(IPEndPoint first, IPEndPoint then, long cutAfter)
    {
        (_first, _then, _cutAfter) = (first, then, cutAfter);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Bytes the client sent through connections to the second server.</summary>
    public long SentToThen => Interlocked.Read(ref _sentToThen);

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptSocketAsync(_stop.Token);
                bool first = Interlocked.Increment(ref _connections) == 1;
                _ = PumpAsync(client, first);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private async Task PumpAsync(Socket client, bool first)
    {
        using var server = new Socket(SocketType.Stream, ProtocolType.Tcp);
        using var _ = client;
        try
        {
            await server.ConnectAsync(first ? _first : _then, _stop.Token);
            var up = CopyAsync(client, server, first ? _cutAfter : long.MaxValue, first ? null : n => Interlocked.Add(ref _sentToThen, n));
            var down = CopyAsync(server, client, long.MaxValue, null);
            await Task.WhenAny(up, down);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            // A side went away: the other is cut below.
        }
        // Closed, not reset: a reset would make the server drop bytes it received but had not read yet, so what it
        // holds would depend on timing; closed, it reads all that was forwarded, then meets the end mid-frame.
    }

    private async Task CopyAsync(Socket from, Socket to, long limit, Action<long>? counted)
    {
        var buffer = new byte[64 * 1024];
        long copied = 0;
        while (copied < limit)
        {
            int read = await from.ReceiveAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, limit - copied)), _stop.Token);
            if (read == 0)
            {
                return;
            }
            await to.SendAsync(buffer.AsMemory(0, read), _stop.Token);
            copied += read;
            counted?.Invoke(read);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}
