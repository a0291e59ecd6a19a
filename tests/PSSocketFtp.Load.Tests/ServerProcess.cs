using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;

namespace PSSocketFtp.Load.Tests;

/// <summary>
/// The real server in a process of its own on an ephemeral loopback port, serving a fresh folder, with limits raised for
/// the load tests. Its memory is sampled while it runs, so a test can report and bound it.
/// </summary>
public sealed class ServerProcess : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly List<string> _output = [];
    private Process? _process;
    private CancellationTokenSource? _stopSampling;
    private Task? _sampling;
    private long _peakSampled;

    public string Root { get; } = Path.Join(Path.GetTempPath(), "psftp-load-tests-" + Guid.NewGuid().ToString("N"));

    public int Port { get; private set; }

    /// <summary>The highest working set seen by sampling (every 50 ms) since the last <see cref="ResetPeak"/>.</summary>
    public long PeakSampledWorkingSet => Interlocked.Read(ref _peakSampled);

    /// <summary>The kernel's high-water mark of the server's resident memory over its whole life (VmHWM on Linux).</summary>
    public long PeakWorkingSet
    {
        get
        {
            _process!.Refresh();
            return _process.PeakWorkingSet64;
        }
    }

    public long WorkingSet
    {
        get
        {
            _process!.Refresh();
            return _process.WorkingSet64;
        }
    }

    public void ResetPeak() => Interlocked.Exchange(ref _peakSampled, WorkingSet);

    /// <summary>How many lines the server logged that contain <paramref name="text"/>.</summary>
    public int CountLog(string text)
    {
        lock (_output)
        {
            return _output.Count(line => line.Contains(text, StringComparison.Ordinal));
        }
    }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string serverAssembly = typeof(ServerProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ServerAssembly").Value!;
        foreach (string arg in new[]
        {
            serverAssembly, "--root", Root, "--port", "0", "--bind", "127.0.0.1",
            "--PSSocketFtp:MaxConnections", "2000", "--PSSocketFtp:MaxConnectionsPerAddress", "2000",
            "--PSSocketFtp:FreeSpaceReserve", "0",
        })
        {
            start.ArgumentList.Add(arg);
        }
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            lock (_output)
            {
                _output.Add(e.Data);
            }
            var match = Regex.Match(e.Data, @"listening on \S+:(\d+)");
            if (match.Success)
            {
                listening.TrySetResult(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_output)
                {
                    _output.Add(e.Data);
                }
            }
        };
        _process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("The server exited early:\n" + string.Join("\n", _output)));
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Port = await listening.Task.WaitAsync(StartTimeout);
        _stopSampling = new CancellationTokenSource();
        _sampling = SampleAsync(_stopSampling.Token);
    }

    private async Task SampleAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(50));
        try
        {
            do
            {
                long now = WorkingSet;
                long seen;
                do
                {
                    seen = Interlocked.Read(ref _peakSampled);
                }
                while (now > seen && Interlocked.CompareExchange(ref _peakSampled, now, seen) != seen);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken));
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async Task DisposeAsync()
    {
        if (_stopSampling is not null)
        {
            await _stopSampling.CancelAsync();
            await _sampling!;
            _stopSampling.Dispose();
        }
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                // Our own child, by its handle.
                _process.Kill(entireProcessTree: true);
            }
            await _process.WaitForExitAsync();
            _process.Dispose();
        }
        Directory.Delete(Root, recursive: true);
    }
}
