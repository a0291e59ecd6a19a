using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PSSocketFtp.Server.Tests;

/// <summary>A server in this process on an ephemeral port, serving a fresh temporary folder, with its log captured.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private RunningFtpServer _server;

    private readonly TimeProvider? _time;

    private TestServer(RunningFtpServer server, string sandbox, LogCapture log, TimeProvider? time = null)
    {
        _time = time;
        _server = server;
        Sandbox = sandbox;
        Log = log;
    }

    /// <summary>The temporary folder that contains the root (so tests can check nothing lands beside it).</summary>
    public string Sandbox { get; }

    public string Root => _server.Root;

    public IPEndPoint EndPoint => _server.EndPoint;

    public LogCapture Log { get; }

    public string PartialFolder => Path.Join(Root, ".psftp", "partial");

    /// <summary>The partial file of a resumable upload (named by its id and a fingerprint of its values).</summary>
    public string PartialOf(string uploadId) => Directory.GetFiles(PartialFolder, uploadId + ".*.part").Single();

    public static async Task<TestServer> StartAsync(params string[] extraArgs)
    {
        string sandbox = Path.Join(Path.GetTempPath(), "psftp-tests-" + Guid.NewGuid().ToString("N"));
        var log = new LogCapture();
        return new TestServer(await StartServerAsync(Path.Join(sandbox, "root"), log, extraArgs), sandbox, log);
    }

    /// <summary>A server whose sessions tell time by <paramref name="time"/> (a FakeTimeProvider for timeout tests).</summary>
    public static async Task<TestServer> StartAsync(TimeProvider time, params string[] extraArgs)
    {
        string sandbox = Path.Join(Path.GetTempPath(), "psftp-tests-" + Guid.NewGuid().ToString("N"));
        var log = new LogCapture();
        return new TestServer(await StartServerAsync(Path.Join(sandbox, "root"), log, extraArgs, time), sandbox, log, time);
    }

    /// <summary>Stops the server (as Ctrl+C would), letting transfers run for its ShutdownGracePeriod.</summary>
    public Task StopAsync() => _server.StopAsync();

    /// <summary>Stops the server and starts a new one on the same root (on a new port), as a restart of the process would.</summary>
    public async Task RestartAsync(params string[] extraArgs)
    {
        string root = Root;
        await _server.DisposeAsync();
        _server = await StartServerAsync(root, Log, extraArgs, _time);
    }

    private static Task<RunningFtpServer> StartServerAsync(string root, LogCapture log, string[] extraArgs, TimeProvider? time = null) => FtpServerHost.StartAsync(
        // A short grace by default: a test that restarts mid-transfer should not wait the production 30 s (later switches win).
        ["--root", root, "--port", "0", "--PSSocketFtp:ShutdownGracePeriod", "00:00:02", .. extraArgs],
        logging =>
        {
            logging.ClearProviders();
            logging.AddProvider(log);
            logging.SetMinimumLevel(LogLevel.Debug);
        },
        services =>
        {
            if (time is not null)
            {
                services.AddSingleton(time);
            }
        },
        CancellationToken.None);

    public Task<RawClient> ConnectAsync(bool handshake = true, byte version = PSSocketFtp.Protocol.ProtocolConstants.MinVersion) => RawClient.ConnectAsync(EndPoint, handshake, version);

    public string FullPath(string remote) => Path.Join(Root, remote);

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        Directory.Delete(Sandbox, recursive: true);
    }
}

/// <summary>Keeps every log message and lets a test wait for one, instead of sleeping.</summary>
internal sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _messages = new();
    private readonly object _gate = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyCollection<string> Messages => _messages;

    public async Task<string> WaitForAsync(Func<string, bool> predicate, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? RawClient.Timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                changed = _changed.Task;
            }
            if (_messages.FirstOrDefault(predicate) is { } found)
            {
                return found;
            }
            try
            {
                await changed.WaitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException("No log message matched. Messages:\n" + string.Join("\n", _messages));
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private void Add(string message)
    {
        _messages.Enqueue(message);
        TaskCompletionSource previous;
        lock (_gate)
        {
            previous = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        previous.SetResult();
    }

    private sealed class Logger(LogCapture owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Add($"{logLevel}: {formatter(state, exception)}");
    }
}
