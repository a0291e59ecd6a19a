using PSSocketFtp.TestSupport;

namespace PSSocketFtp.Load.Tests;

/// <summary>
/// The real server in a process of its own on an ephemeral loopback port, serving a fresh folder, with limits raised for
/// the load tests. Its memory is sampled while it runs, so a test can report and bound it.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private ServerProcess? _server;
    private CancellationTokenSource? _stopSampling;
    private Task? _sampling;
    private long _peakSampled;

    public string Root { get; } = Path.Join(Path.GetTempPath(), "psftp-load-tests-" + Guid.NewGuid().ToString("N"));

    public int Port => Server.Port;

    /// <summary>The highest working set seen by sampling (every 50 ms) since the last <see cref="ResetPeak"/>.</summary>
    public long PeakSampledWorkingSet => Interlocked.Read(ref _peakSampled);

    /// <summary>The kernel's high-water mark of the server's resident memory over its whole life (VmHWM on Linux).</summary>
    public long PeakWorkingSet => Server.PeakWorkingSet;

    public long WorkingSet => Server.WorkingSet;

    private ServerProcess Server => _server ?? throw new InvalidOperationException("The server has not started.");

    public void ResetPeak() => Interlocked.Exchange(ref _peakSampled, WorkingSet);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        _server = await ServerProcess.StartAsync(new ServerStart(Root)
        {
            Arguments =
            [
                "--PSSocketFtp:MaxConnections", "2000", "--PSSocketFtp:MaxConnectionsPerAddress", "2000",
                "--PSSocketFtp:FreeSpaceReserve", "0",
            ],
        });
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
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        Directory.Delete(Root, recursive: true);
    }
}
