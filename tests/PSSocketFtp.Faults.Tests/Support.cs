using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using PSSocketFtp.Client;
using PSSocketFtp.TestSupport;

// Stalls are measured against the client's no-progress timeout: tests running side by side on 2 cores would blur it.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace PSSocketFtp.Faults.Tests;

/// <summary>Settings and helpers shared by the fault tests.</summary>
internal static class Faults
{
    /// <summary>The seed of the main run: PSSOCKETFTP_FAULT_SEED when set, so a failure can be replayed.</summary>
    public static int Seed =>
        int.TryParse(Environment.GetEnvironmentVariable("PSSOCKETFTP_FAULT_SEED"), out int seed) ? seed : DefaultSeed;

    public const int DefaultSeed = 20261127;

    public const int SecondSeed = 7021;

    /// <summary>The size of a large transfer: still running when a test stops the server at <see cref="MidTransfer"/> bytes.</summary>
    public const long LargeLength = 200L * 1024 * 1024;

    public const long MidTransfer = 64L * 1024 * 1024;

    /// <summary>Generous retries, short delays, and a short no-progress timeout so stalls are noticed quickly.</summary>
    public static FtpSessionOptions SessionOptions(int port, int retryCount = 30, TimeSpan? maxRetryDelay = null, TimeSpan? noProgress = null) => new()
    {
        ComputerName = "127.0.0.1",
        Port = port,
        RetryCount = retryCount,
        RetryDelay = TimeSpan.FromMilliseconds(5),
        MaxRetryDelay = maxRetryDelay ?? TimeSpan.FromMilliseconds(100),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        NoProgressTimeout = noProgress ?? TimeSpan.FromSeconds(2),
    };

    public static string NewSandbox(string what)
    {
        string path = Path.Join(Path.GetTempPath(), $"psftp-faults-{what}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }

    /// <summary>Writes a file of random bytes drawn from <paramref name="seed"/>.</summary>
    public static void WriteRandomFile(string path, int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>
    /// A large file that is quick to create: sparse, with a block of random bytes every 4 MiB so that a misplaced or
    /// lost chunk changes its hash.
    /// </summary>
    public static void WriteLargeFile(string path, long length, int seed)
    {
        var random = new Random(seed);
        var block = new byte[64 * 1024];
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        stream.SetLength(length);
        for (long at = 0; at + block.Length <= length; at += 4 * 1024 * 1024)
        {
            random.NextBytes(block);
            stream.Position = at;
            stream.Write(block);
        }
        stream.Position = length - 1;
        stream.WriteByte(0x5A);
    }

    /// <summary>Files and folders under <paramref name="root"/>, relative and '/'-separated, without the server's .psftp folder.</summary>
    public static SortedSet<string> VisibleEntries(string root) =>
        new(Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
            .Select(p => Path.GetRelativePath(root, p).Replace('\\', '/'))
            .Where(p => p != ".psftp" && !p.StartsWith(".psftp/", StringComparison.Ordinal)),
            StringComparer.Ordinal);

    /// <summary>The length of the largest partial upload in <paramref name="folder"/>, 0 when there is none.</summary>
    public static long LargestPartial(string folder) =>
        Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*.part").Select(f => new FileInfo(f).Length).DefaultIfEmpty(0).Max() : 0;

    /// <summary>Waits for a condition, looking every few milliseconds, for at most <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"Not within {timeout.TotalSeconds} s: {what}.");
            }
            await Task.Delay(10);
        }
    }
}

/// <summary>A fresh folder with a server root and a large file to upload into it; deleted on dispose.</summary>
internal sealed class UploadSandbox : IDisposable
{
    public UploadSandbox(string what, int seed)
    {
        Folder = Faults.NewSandbox(what);
        Directory.CreateDirectory(Root);
        Faults.WriteLargeFile(Source, Faults.LargeLength, seed);
    }

    public string Folder { get; }

    /// <summary>The folder the server serves.</summary>
    public string Root => Path.Join(Folder, "root");

    /// <summary>The local file to upload.</summary>
    public string Source => Path.Join(Folder, "large.bin");

    /// <summary>Where the upload lands on the server.</summary>
    public string Uploaded => Path.Join(Root, "large.bin");

    /// <summary>The server's folder of partial uploads.</summary>
    public string Partials => Path.Join(Root, ".psftp", "partial");

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

/// <summary>Keeps a server's warnings and errors so that a failing test can show them.</summary>
internal sealed class LogLines : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IEnumerable<string> Lines => _lines;

    public void Add(string line) => _lines.Enqueue(line);

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(LogLines owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Add($"server {logLevel}: {formatter(state, exception)}{(exception is null ? "" : " " + exception.GetType().Name + ": " + exception.Message)}");
    }
}

/// <summary>The real server as a process on a root, which a test stops part way through a transfer and starts again on the same port.</summary>
internal sealed class RestartableServer : IAsyncDisposable
{
    private readonly List<ServerProcess> _runs = [];

    private readonly ServerStart _start;

    private RestartableServer(ServerStart start) => _start = start;

    /// <summary>The latest start.</summary>
    public ServerProcess Current => _runs[^1];

    public int Port => _runs[0].Port;

    /// <summary>Session options that outlast a stop: many quick retries, and a no-progress timeout longer than a hold.</summary>
    public FtpSessionOptions SessionOptions =>
        Faults.SessionOptions(Port, retryCount: 200, maxRetryDelay: TimeSpan.FromMilliseconds(250), noProgress: TimeSpan.FromSeconds(10));

    public static async Task<RestartableServer> StartAsync(ServerStart start)
    {
        var server = new RestartableServer(start);
        server._runs.Add(await ServerProcess.StartAsync(start));
        return server;
    }

    /// <summary>Starts the server again, on the port it was first given, once the current one is gone.</summary>
    public async Task RestartAsync() => _runs.Add(await ServerProcess.StartAsync(_start with { Port = Port }));

    /// <summary>
    /// Runs <paramref name="transfer"/> on a session that outlasts a stop and holds it at <paramref name="at"/> bytes,
    /// where <paramref name="stop"/> ends the current server; then releases the transfer, starts the server again, and
    /// returns the transfer's result.
    /// </summary>
    public async Task<FtpTransferResult> StopMidTransferAsync(
        long at, Func<FtpSession, IProgress<FtpTransferProgress>, Task<FtpTransferResult>> transfer, Func<ServerProcess, Task> stop)
    {
        var hold = new HoldPoint(at);
        using var session = await FtpSession.ConnectAsync(SessionOptions);
        // On a thread of its own: the hold blocks the thread that reports progress.
        var running = Task.Run(() => transfer(session, hold));
        await hold.WaitReachedAsync();
        await stop(Current);
        hold.Release();
        await RestartAsync();
        return await running.WaitAsync(TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var run in _runs)
        {
            await run.DisposeAsync();
        }
    }
}
