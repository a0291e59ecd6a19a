using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using PSSocketFtp.FaultProxy;
using Proxy = PSSocketFtp.FaultProxy.FaultProxy;

namespace PSSocketFtp.Faults.Tests;

/// <summary>The proxy itself, in front of an echo server: it forwards faithfully, and its faults are what the seed says.</summary>
public sealed class FaultProxyTests : IAsyncLifetime
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(30);
    private readonly TcpListener _echo = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private Task _echoLoop = Task.CompletedTask;

    public Task InitializeAsync()
    {
        _echo.Start();
        _echoLoop = EchoAsync();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _stop.CancelAsync();
        _echo.Stop();
        await _echoLoop;
    }

    [Fact]
    public async Task Forward_RatesZero_EchoesEveryByteUnchanged()
    {
        await using var proxy = Start(seed: 1, cut: 0, stall: 0, flip: 0);
        byte[] sent = RandomBytes(3 * 1024 * 1024 + 5, seed: 1);

        byte[] echoed = await RoundTripAsync(proxy, sent);

        Assert.Equal(sent, echoed);
        Assert.Equal(0, proxy.TotalFaults);
    }

    [Fact]
    public async Task Forward_Latency_EchoesEveryByteAfterARoundTripAndStreamsTheRest()
    {
        var latency = TimeSpan.FromMilliseconds(50);
        await using var proxy = Proxy.Start(new FaultProxyOptions { Target = (IPEndPoint)_echo.LocalEndpoint, CutRate = 0, StallRate = 0, FlipRate = 0, Latency = latency });
        byte[] small = RandomBytes(10, seed: 5);
        byte[] large = RandomBytes(8 * 1024 * 1024, seed: 6);

        var clock = System.Diagnostics.Stopwatch.StartNew();
        byte[] echoed = await RoundTripAsync(proxy, small);
        var roundTrip = clock.Elapsed;
        clock.Restart();
        byte[] echoedLarge = await RoundTripAsync(proxy, large);
        var stream = clock.Elapsed;

        Assert.Equal(small, echoed);
        Assert.Equal(large, echoedLarge);
        // There and back, each way through the proxy: at least four latencies (connect's own round trip is not counted).
        Assert.True(roundTrip >= 2 * latency, $"A round trip took {roundTrip.TotalMilliseconds:0} ms.");
        // The delay is a link's, not a stop-and-wait per chunk: 8 MiB in 64 KiB chunks does not take 128 round trips.
        Assert.True(stream < 64 * latency, $"8 MiB took {stream.TotalMilliseconds:0} ms.");
    }

    [Fact]
    public async Task Flip_SameSeed_SameBytesChangedAtSamePositions()
    {
        byte[] sent = RandomBytes(2 * 1024 * 1024, seed: 2);
        var logs = new List<string[]>();
        var results = new List<byte[]>();
        for (int run = 0; run < 2; run++)
        {
            var log = new ConcurrentQueue<string>();
            await using (var proxy = Start(seed: 42, cut: 0, stall: 0, flip: 0.5, log: log.Enqueue))
            {
                results.Add(await RoundTripAsync(proxy, sent));
                Assert.True(proxy.Count(FaultKind.Flip) > 0, proxy.Summary);
            }
            // Each direction logs in its own order; between directions the interleaving is up to the scheduler.
            // Lines carry their time, and the fault number follows the scheduler: compare what and where.
            logs.Add(log.Where(l => l.StartsWith("fault ", StringComparison.Ordinal))
                .Select(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..l.LastIndexOf(" (seed", StringComparison.Ordinal)])
                .Order(StringComparer.Ordinal).ToArray());
        }

        Assert.NotEqual(sent, results[0]);
        Assert.Equal(sent.Length, results[0].Length);
        Assert.Equal(results[0], results[1]);
        Assert.Equal(logs[0], logs[1]);
    }

    [Fact]
    public async Task Cut_CutRateOne_ResetsTheConnectionAndCountsIt()
    {
        await using var proxy = Start(seed: 3, cut: 1, stall: 0, flip: 0);
        byte[] sent = RandomBytes(8 * 1024 * 1024, seed: 3);

        var error = await Record.ExceptionAsync(() => RoundTripAsync(proxy, sent));

        Assert.True(error is IOException or SocketException or EndOfStreamException, $"expected a broken connection, got {error?.GetType().Name ?? "none"}");
        Assert.Equal(1, proxy.Count(FaultKind.Cut));
    }

    [Fact]
    public async Task Enabled_SwitchedOff_InjectsNothing()
    {
        await using var proxy = Start(seed: 4, cut: 0.4, stall: 0, flip: 0.4);
        proxy.Enabled = false;
        byte[] sent = RandomBytes(3 * 1024 * 1024, seed: 4);

        byte[] echoed = await RoundTripAsync(proxy, sent);

        Assert.Equal(sent, echoed);
        Assert.Equal(0, proxy.TotalFaults);
    }

    [Fact]
    public async Task Stall_StallThenCarryOn_DelaysButDeliversEverything()
    {
        await using var proxy = Proxy.Start(new FaultProxyOptions
        {
            Target = (IPEndPoint)_echo.LocalEndpoint,
            Seed = 5,
            CutRate = 0,
            FlipRate = 0,
            StallRate = 0.5,
            StallCutRate = 0,
            MinStall = TimeSpan.FromMilliseconds(10),
            MaxStall = TimeSpan.FromMilliseconds(50),
        });
        byte[] sent = RandomBytes(1024 * 1024, seed: 5);

        byte[] echoed = await RoundTripAsync(proxy, sent);

        Assert.Equal(sent, echoed);
        Assert.True(proxy.Count(FaultKind.Stall) > 0, proxy.Summary);
    }

    private Proxy Start(int seed, double cut, double stall, double flip, Action<string>? log = null) => Proxy.Start(new FaultProxyOptions
    {
        Target = (IPEndPoint)_echo.LocalEndpoint,
        Seed = seed,
        CutRate = cut,
        StallRate = stall,
        FlipRate = flip,
        MaxOffset = 1024 * 1024,
        Log = log,
    });

    private static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Sends everything through the proxy while reading the echo back, then half-closes and reads to the end.</summary>
    private static async Task<byte[]> RoundTripAsync(Proxy proxy, byte[] data)
    {
        using var cancel = new CancellationTokenSource(Bounded);
        using var client = new TcpClient();
        await client.ConnectAsync(proxy.EndPoint, cancel.Token);
        var stream = client.GetStream();
        var reading = Task.Run(async () =>
        {
            using var received = new MemoryStream();
            await stream.CopyToAsync(received, cancel.Token);
            return received.ToArray();
        });
        await stream.WriteAsync(data, cancel.Token);
        client.Client.Shutdown(SocketShutdown.Send);
        byte[] echoed = await reading;
        return echoed.Length == data.Length ? echoed : throw new EndOfStreamException($"{echoed.Length} of {data.Length} bytes came back.");
    }

    private async Task EchoAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (true)
            {
                var socket = await _echo.AcceptTcpClientAsync(_stop.Token);
                connections.Add(Task.Run(async () =>
                {
                    using (socket)
                    {
                        try
                        {
                            var stream = socket.GetStream();
                            await stream.CopyToAsync(stream, _stop.Token);
                            socket.Client.Shutdown(SocketShutdown.Send);
                        }
                        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
                        {
                        }
                    }
                }));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        await Task.WhenAll(connections);
    }
}
