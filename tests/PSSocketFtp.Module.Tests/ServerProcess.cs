using System.Diagnostics;
using System.Text.RegularExpressions;

namespace PSSocketFtp.Module.Tests;

/// <summary>
/// The real server in a process of its own, on an ephemeral port, serving a fresh folder. Out of process because the
/// server carries our protocol assembly: in this process it would sit in the default load context, beside the
/// module's copy, and the module's isolation could not be tested.
/// </summary>
public class ServerProcess : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private Process? _process;

    /// <summary>The folder the server serves.</summary>
    public string Root { get; } = Path.Join(Path.GetTempPath(), "psftp-module-tests-" + Guid.NewGuid().ToString("N"));

    /// <summary>The port the server listens on, on 127.0.0.1.</summary>
    public int Port { get; private set; }

    /// <summary>The local path of a remote path under the root.</summary>
    public string FullPath(string remote) => Path.Join(Root, remote.TrimStart('/'));

    /// <summary>Arguments a derived fixture adds to the server's command line.</summary>
    protected virtual IEnumerable<string> ExtraArguments => [];

    public virtual async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { TestPaths.ServerAssembly, "--root", Root, "--port", "0", "--bind", "127.0.0.1" }.Concat(ExtraArguments))
        {
            start.ArgumentList.Add(arg);
        }
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new List<string>();
        _process = new Process { StartInfo = start, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            lock (output)
            {
                output.Add(e.Data);
            }
            // The server's documented ready line: "… listening on <address>:<port>, root <folder>".
            var match = Regex.Match(e.Data, @"listening on \S+:(\d+)");
            if (match.Success)
            {
                listening.TrySetResult(int.Parse(match.Groups[1].Value));
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (output)
                {
                    output.Add(e.Data);
                }
            }
        };
        _process.Exited += (_, _) => listening.TrySetException(new InvalidOperationException("The server exited early:\n" + string.Join("\n", output)));
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        Port = await listening.Task.WaitAsync(StartTimeout);
    }

    public virtual async Task DisposeAsync()
    {
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
            await _process.WaitForExitAsync();
            _process.Dispose();
        }
        Directory.Delete(Root, recursive: true);
    }
}
