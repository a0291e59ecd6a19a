using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace PSSocketFtp.FaultProxy;

/// <summary>
/// A TCP proxy on 127.0.0.1 (ephemeral port) in front of one target endpoint that injects faults. Every accepted
/// connection draws a seed from <c>new Random(seed)</c> in accept order; each of its two directions then draws points
/// by byte count (log-uniform gaps up to <see cref="FaultProxyOptions.MaxOffset"/>), each point a fault of a kind with
/// that kind's rate, or nothing. When a direction's byte count reaches a fault it fires: a cut resets both sides, a
/// stall stops that direction for a while and then cuts or carries on, a flip changes that byte. While
/// <see cref="Enabled"/> is false nothing fires, so the last retries of a test can succeed.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private const int BufferSize = 64 * 1024;
    private static readonly TimeSpan DisposeTimeout = TimeSpan.FromSeconds(10);

    private readonly FaultProxyOptions _options;
    private readonly Socket _listener;
    private readonly Random _planner;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<long, Connection> _open = new();
    private readonly long[] _counts = new long[Enum.GetValues<FaultKind>().Length];
    private readonly Task _acceptLoop;
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private long _connections;
    private long _faults;
    private volatile bool _enabled = true;

    private FaultProxy(FaultProxyOptions options)
    {
        _options = options;
        _planner = new Random(options.Seed);
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _listener.Listen(128);
        }
        catch
        {
            _listener.Dispose();
            throw;
        }
        EndPoint = (IPEndPoint)_listener.LocalEndPoint!;
        _acceptLoop = AcceptLoopAsync();
    }

    /// <summary>Starts a proxy listening on 127.0.0.1 on a free port.</summary>
    public static FaultProxy Start(FaultProxyOptions options) => new(options.Validated());

    /// <summary>Where the proxy listens.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>The seed the plans are drawn from.</summary>
    public int Seed => _options.Seed;

    /// <summary>Whether faults fire. Switching off also disarms faults already planned for open connections.</summary>
    public bool Enabled
    {
        get => _enabled;
        set => _enabled = value;
    }

    /// <summary>Connections accepted so far.</summary>
    public long Connections => Interlocked.Read(ref _connections);

    /// <summary>Faults injected so far, all kinds.</summary>
    public long TotalFaults => Interlocked.Read(ref _faults);

    /// <summary>Faults of one kind injected so far.</summary>
    public long Count(FaultKind kind) => Interlocked.Read(ref _counts[(int)kind]);

    /// <summary>One line: the seed, connections and faults by kind.</summary>
    public string Summary =>
        $"seed {Seed}: {Connections} connections, {Count(FaultKind.Cut)} cuts, {Count(FaultKind.Stall)} stalls, {Count(FaultKind.Flip)} flips";

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Dispose();
        foreach (var connection in _open.Values)
        {
            connection.Abort();
        }
        var pending = _open.Values.Select(c => c.Completion).Append(_acceptLoop).ToArray();
        try
        {
            await Task.WhenAll(pending).WaitAsync(DisposeTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Every socket is closed; a handler that still has not noticed holds nothing worth waiting for.
        }
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }
                continue;
            }
            long id = Interlocked.Increment(ref _connections);
            _options.Log?.Invoke($"connection {id} accepted ({_clock.Elapsed.TotalSeconds:0.000} s)");
            var connection = new Connection(this, id, client, NextConnectionSeed());
            _open[id] = connection;
            connection.Completion = Task.Run(async () =>
            {
                try
                {
                    await connection.RunAsync().ConfigureAwait(false);
                }
                finally
                {
                    _open.TryRemove(id, out _);
                }
            });
        }
    }

    /// <summary>One draw from the seeded planner per connection, in accept order, keeps every connection's faults replayable.</summary>
    private int NextConnectionSeed()
    {
        lock (_planner)
        {
            return _planner.Next();
        }
    }

    private void Record(FaultKind kind, string line)
    {
        Interlocked.Increment(ref _counts[(int)kind]);
        long n = Interlocked.Increment(ref _faults);
        _options.Log?.Invoke($"fault {n}: {line} (seed {Seed}, {_clock.Elapsed.TotalSeconds:0.000} s)");
    }

    private sealed record PlannedFault(FaultKind? Kind, long Offset, TimeSpan Stall, bool CutAfterStall, byte Xor);

    /// <summary>
    /// The points of one direction of one connection: each lies a log-uniform gap in [1, MaxOffset] after the last,
    /// and is a fault of each kind with that kind's rate (times the intensity), or nothing. Drawn lazily, so a
    /// connection that lives long keeps meeting faults.
    /// </summary>
    private sealed class Schedule(FaultProxyOptions options, int seed)
    {
        private readonly Random _random = new(seed);
        private PlannedFault? _next;
        private long _position;

        public PlannedFault Peek() => _next ??= Draw();

        public PlannedFault Take()
        {
            var next = Peek();
            _next = null;
            return next;
        }

        private PlannedFault Draw()
        {
            // Every value is drawn for every point, so changing one rate does not move the others' points.
            _position += (long)Math.Floor(Math.Exp(_random.NextDouble() * Math.Log(options.MaxOffset + 1.0)));
            double pick = _random.NextDouble();
            var stall = options.MinStall + ((options.MaxStall - options.MinStall) * _random.NextDouble());
            bool cutAfterStall = _random.NextDouble() < options.StallCutRate;
            byte xor = (byte)_random.Next(1, 256);
            double cut = options.CutRate * options.Intensity;
            double stalls = cut + (options.StallRate * options.Intensity);
            double flips = stalls + (options.FlipRate * options.Intensity);
            FaultKind? kind = pick < cut ? FaultKind.Cut : pick < stalls ? FaultKind.Stall : pick < flips ? FaultKind.Flip : null;
            return new PlannedFault(kind, _position - 1, stall, cutAfterStall, xor);
        }
    }

    /// <summary>One client connection and its connection to the target, pumped both ways.</summary>
    private sealed class Connection(FaultProxy proxy, long id, Socket client, int seed)
    {
        private readonly Socket _target = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        private readonly CancellationTokenSource _cut = new();
        private int _aborted;

        public Task Completion { get; set; } = Task.CompletedTask;

        public async Task RunAsync()
        {
            try
            {
                client.NoDelay = true;
                _target.NoDelay = true;
                try
                {
                    await _target.ConnectAsync(proxy._options.Target, _cut.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
                {
                    // The target is down (a server being restarted): the client sees the same as a refused connect would give it.
                    proxy._options.Log?.Invoke($"connection {id}: could not reach {proxy._options.Target}: {e.Message}");
                    Abort();
                    return;
                }
                await Task.WhenAll(
                    PumpAsync(client, _target, Direction.ToTarget, new Schedule(proxy._options, seed)),
                    PumpAsync(_target, client, Direction.ToClient, new Schedule(proxy._options, ~seed))).ConfigureAwait(false);
            }
            finally
            {
                client.Dispose();
                _target.Dispose();
                _cut.Dispose();
            }
        }

        /// <summary>Resets both sides: a linger of zero makes close send RST instead of FIN.</summary>
        public void Abort()
        {
            if (Interlocked.Exchange(ref _aborted, 1) != 0)
            {
                return;
            }
            try
            {
                _cut.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
            foreach (var socket in new[] { client, _target })
            {
                try
                {
                    socket.LingerState = new LingerOption(true, 0);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                }
                socket.Dispose();
            }
        }

        private async Task PumpAsync(Socket from, Socket to, Direction direction, Schedule faults)
        {
            var buffer = new byte[BufferSize];
            long position = 0;
            string arrow = direction == Direction.ToTarget ? "client->server" : "server->client";
            var line = new DelayLine(to, proxy._options.Latency, _cut.Token);
            try
            {
                while (true)
                {
                    int read = await from.ReceiveAsync(buffer, SocketFlags.None, _cut.Token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        // An orderly close passes through as one, after what is still on its way.
                        await line.DrainAsync().ConfigureAwait(false);
                        to.Shutdown(SocketShutdown.Send);
                        return;
                    }
                    int done = 0;
                    while (faults.Peek().Offset < position + read)
                    {
                        var fault = faults.Take();
                        if (fault.Kind is null || !proxy._enabled)
                        {
                            continue;
                        }
                        int at = (int)(fault.Offset - position);
                        string where = $"connection {id} {arrow} at byte {fault.Offset}";
                        switch (fault.Kind)
                        {
                            case FaultKind.Flip:
                                byte before = buffer[at];
                                buffer[at] ^= fault.Xor;
                                proxy.Record(FaultKind.Flip, $"flip {where}: 0x{before:x2} -> 0x{buffer[at]:x2}");
                                break;
                            case FaultKind.Cut:
                                await line.SendAsync(buffer.AsMemory(done, at - done)).ConfigureAwait(false);
                                await line.DrainAsync().ConfigureAwait(false);
                                proxy.Record(FaultKind.Cut, $"cut {where}");
                                Abort();
                                return;
                            case FaultKind.Stall:
                                await line.SendAsync(buffer.AsMemory(done, at - done)).ConfigureAwait(false);
                                await line.DrainAsync().ConfigureAwait(false);
                                done = at;
                                proxy.Record(FaultKind.Stall, $"stall {where} for {fault.Stall.TotalMilliseconds:0} ms, then {(fault.CutAfterStall ? "cut" : "carry on")}");
                                await Task.Delay(fault.Stall, _cut.Token).ConfigureAwait(false);
                                if (fault.CutAfterStall)
                                {
                                    Abort();
                                    return;
                                }
                                break;
                        }
                    }
                    await line.SendAsync(buffer.AsMemory(done, read - done)).ConfigureAwait(false);
                    position += read;
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
            {
                // One side reset or went away (or a cut of the other direction closed it): the whole connection goes.
                Abort();
            }
        }
    }
}
