using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace PSSocketFtp.FaultProxy;

/// <summary>
/// A TCP proxy on 127.0.0.1 (ephemeral port) in front of one target endpoint that injects faults. Every accepted
/// connection gets a plan drawn from <c>new Random(seed)</c> in accept order: for each <see cref="FaultKind"/>, with
/// that kind's rate, one fault in a random direction at a random byte position. When a direction's byte count reaches
/// a planned position the fault fires: a cut resets both sides, a stall stops that direction for a while and then cuts
/// or carries on, a flip changes that byte. While <see cref="Enabled"/> is false nothing fires, so the last retries
/// of a test can succeed.
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
            var connection = new Connection(this, id, client, Plan());
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

    /// <summary>Draws one connection's plan; one draw from the seeded planner per connection keeps plans replayable.</summary>
    private List<PlannedFault> Plan()
    {
        int connectionSeed;
        lock (_planner)
        {
            connectionSeed = _planner.Next();
        }
        var random = new Random(connectionSeed);
        var plan = new List<PlannedFault>();
        foreach (var (kind, rate) in new[] { (FaultKind.Cut, _options.CutRate), (FaultKind.Stall, _options.StallRate), (FaultKind.Flip, _options.FlipRate) })
        {
            // Every draw is made whether or not the fault is kept, so one rate does not shift the others' positions.
            bool planned = random.NextDouble() < Math.Min(1, rate * _options.Intensity);
            var direction = random.Next(2) == 0 ? Direction.ToTarget : Direction.ToClient;
            long offset = (long)Math.Floor(Math.Exp(random.NextDouble() * Math.Log(_options.MaxOffset + 1.0))) - 1;
            var stall = _options.MinStall + ((_options.MaxStall - _options.MinStall) * random.NextDouble());
            bool cutAfterStall = random.NextDouble() < _options.StallCutRate;
            byte xor = (byte)random.Next(1, 256);
            if (planned && _enabled)
            {
                plan.Add(new PlannedFault(kind, direction, Math.Clamp(offset, 0, _options.MaxOffset - 1), stall, cutAfterStall, xor));
            }
        }
        return plan;
    }

    private void Record(FaultKind kind, string line)
    {
        Interlocked.Increment(ref _counts[(int)kind]);
        long n = Interlocked.Increment(ref _faults);
        _options.Log?.Invoke($"fault {n}: {line} (seed {Seed})");
    }

    private sealed record PlannedFault(FaultKind Kind, Direction Direction, long Offset, TimeSpan Stall, bool CutAfterStall, byte Xor);

    /// <summary>One client connection and its connection to the target, pumped both ways.</summary>
    private sealed class Connection(FaultProxy proxy, long id, Socket client, List<PlannedFault> plan)
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
                    PumpAsync(client, _target, Direction.ToTarget),
                    PumpAsync(_target, client, Direction.ToClient)).ConfigureAwait(false);
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

        private async Task PumpAsync(Socket from, Socket to, Direction direction)
        {
            var faults = new Queue<PlannedFault>(plan.Where(f => f.Direction == direction).OrderBy(f => f.Offset));
            var buffer = new byte[BufferSize];
            long position = 0;
            string arrow = direction == Direction.ToTarget ? "client->server" : "server->client";
            try
            {
                while (true)
                {
                    int read = await from.ReceiveAsync(buffer, SocketFlags.None, _cut.Token).ConfigureAwait(false);
                    if (read == 0)
                    {
                        // An orderly close passes through as one.
                        to.Shutdown(SocketShutdown.Send);
                        return;
                    }
                    int done = 0;
                    while (faults.Count > 0 && faults.Peek().Offset < position + read)
                    {
                        var fault = faults.Dequeue();
                        if (!proxy._enabled)
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
                                await SendAsync(to, buffer, done, at - done).ConfigureAwait(false);
                                proxy.Record(FaultKind.Cut, $"cut {where}");
                                Abort();
                                return;
                            case FaultKind.Stall:
                                await SendAsync(to, buffer, done, at - done).ConfigureAwait(false);
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
                    await SendAsync(to, buffer, done, read - done).ConfigureAwait(false);
                    position += read;
                }
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
            {
                // One side reset or went away (or a cut of the other direction closed it): the whole connection goes.
                Abort();
            }
        }

        private async Task SendAsync(Socket to, byte[] buffer, int offset, int count)
        {
            while (count > 0)
            {
                int sent = await to.SendAsync(buffer.AsMemory(offset, count), SocketFlags.None, _cut.Token).ConfigureAwait(false);
                offset += sent;
                count -= sent;
            }
        }
    }
}
