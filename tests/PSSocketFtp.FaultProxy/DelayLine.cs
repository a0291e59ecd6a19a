using System.Diagnostics;
using System.Net.Sockets;
using System.Threading.Channels;

namespace PSSocketFtp.FaultProxy;

/// <summary>
/// One direction's way out of the proxy. Without latency it sends at once; with it, each chunk leaves a fixed time after
/// it arrived, in order, while later chunks keep coming in: a link with that one-way delay, whose throughput is not
/// cut by the delay (a round trip costs twice the latency, a stream of bytes does not).
/// </summary>
internal sealed class DelayLine(Socket to, TimeSpan latency, CancellationToken cut)
{
    private Channel<(long Due, byte[] Bytes)> _queue = NewQueue();
    private Task? _sender;

    /// <summary>Sends <paramref name="bytes"/> now, or queues a copy to leave after the latency.</summary>
    public async ValueTask SendAsync(ReadOnlyMemory<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            return;
        }
        if (latency <= TimeSpan.Zero)
        {
            await SendNowAsync(bytes).ConfigureAwait(false);
            return;
        }
        _sender ??= RunAsync(_queue.Reader);
        _queue.Writer.TryWrite((Stopwatch.GetTimestamp() + (long)(latency.TotalSeconds * Stopwatch.Frequency), bytes.ToArray()));
    }

    /// <summary>Waits until everything queued has left (before a close, a cut or a stall passes through).</summary>
    public async Task DrainAsync()
    {
        if (_sender is null)
        {
            return;
        }
        _queue.Writer.TryComplete();
        await _sender.ConfigureAwait(false);
        // A stall carries on afterwards: later bytes go through a new queue.
        (_queue, _sender) = (NewQueue(), null);
    }

    private static Channel<(long Due, byte[] Bytes)> NewQueue() =>
        Channel.CreateUnbounded<(long, byte[])>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    private async Task RunAsync(ChannelReader<(long Due, byte[] Bytes)> queue)
    {
        await foreach (var (due, bytes) in queue.ReadAllAsync(cut).ConfigureAwait(false))
        {
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cut).ConfigureAwait(false);
            }
            await SendNowAsync(bytes).ConfigureAwait(false);
        }
    }

    private async Task SendNowAsync(ReadOnlyMemory<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            int sent = await to.SendAsync(bytes, SocketFlags.None, cut).ConfigureAwait(false);
            bytes = bytes.Slice(sent);
        }
    }
}
