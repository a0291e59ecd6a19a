using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace PSSocketFtp.TestSupport;

/// <summary>How to start the server: the folder it serves, where it listens, and what else it is given.</summary>
internal sealed record ServerStart(string Root)
{
    /// <summary>0 for any free port; a fixed one to start again where a stopped server listened.</summary>
    public int Port { get; init; }

    public string Bind { get; init; } = "127.0.0.1";

    /// <summary>Switches after <c>--root</c>, <c>--port</c> and <c>--bind</c>.</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// When set, the server runs as the child of a shell under this name (the name is all the kernel reports of a
    /// process's program), as a service manager would start it; <see cref="ServerProcess.Pid"/> is still the server's.
    /// </summary>
    public string? ParentName { get; init; }
}

/// <summary>
/// The real server in a process of its own, started from the build's output (the test assembly's <c>ServerAssembly</c>
/// metadata), once it has logged its ready line "… listening on &lt;address&gt;:&lt;port&gt;, root &lt;folder&gt;" (or,
/// given <c>--print-port</c>, written its port line). Given <c>--stop-on-input-end</c>, the test holds the server's
/// standard input open, so the server stops by itself if the test process dies.
/// </summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private const int SigTerm = 15;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly string? _parentFolder;
    private readonly ConcurrentQueue<string> _output = new();

    private ServerProcess(Process process, string? parentFolder)
    {
        _process = process;
        _parentFolder = parentFolder;
    }

    /// <summary>The port it listens on.</summary>
    public int Port { get; private set; }

    /// <summary>The server's process id (not its parent's, when started under <see cref="ServerStart.ParentName"/>).</summary>
    public int Pid { get; private set; }

    /// <summary>Every line it wrote to standard output and error so far, in order.</summary>
    public IReadOnlyList<string> Output => [.. _output];

    public bool HasExited => _process.HasExited;

    /// <summary>The current resident memory of the server.</summary>
    public long WorkingSet
    {
        get
        {
            _process.Refresh();
            return _process.WorkingSet64;
        }
    }

    /// <summary>The kernel's high-water mark of the server's resident memory over its whole life (VmHWM on Linux).</summary>
    public long PeakWorkingSet
    {
        get
        {
            _process.Refresh();
            return _process.PeakWorkingSet64;
        }
    }

    public static async Task<ServerProcess> StartAsync(ServerStart start)
    {
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        string[] command =
        [
            dotnet, ServerAssembly, "--root", start.Root, "--port", start.Port.ToString(CultureInfo.InvariantCulture), "--bind", start.Bind,
            .. start.Arguments,
        ];
        string? parentFolder = null;
        if (start.ParentName is not null)
        {
            parentFolder = Directory.CreateTempSubdirectory("psftp-parent-").FullName;
            string parent = Path.Join(parentFolder, start.ParentName);
            File.CreateSymbolicLink(parent, "/bin/sh");
            // The shell stays as the parent, waits, and exits with the server's code.
            command = [parent, "-c", "\"$0\" \"$@\" & wait $!", .. command];
        }
        bool printsPort = start.Arguments.Contains("--print-port");
        var info = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // Held open, never written: its end (this process gone) stops a server given --stop-on-input-end.
            RedirectStandardInput = start.Arguments.Contains("--stop-on-input-end"),
            UseShellExecute = false,
        };
        foreach (string arg in command.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var (name, value) in start.Environment)
        {
            info.Environment[name] = value;
        }

        var server = new ServerProcess(new Process { StartInfo = info }, parentFolder);
        var listening = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        server._process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            server._output.Enqueue(e.Data);
            var match = (printsPort ? PortLine() : ReadyLine()).Match(e.Data);
            if (match.Success)
            {
                listening.TrySetResult(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture));
            }
        };
        server._process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                server._output.Enqueue(e.Data);
            }
        };
        try
        {
            server._process.Start();
            server._process.BeginOutputReadLine();
            server._process.BeginErrorReadLine();
            // Waiting for the exit as well drains the output, so an early exit is reported with everything it said.
            var exited = server._process.WaitForExitAsync();
            await Task.WhenAny(listening.Task, exited).WaitAsync(StartTimeout);
            if (!listening.Task.IsCompleted)
            {
                throw new InvalidOperationException($"The server exited early with code {server._process.ExitCode}:\n{server.OutputText}");
            }
            server.Port = listening.Task.Result;
            server.Pid = parentFolder is null ? server._process.Id : OnlyChild(server._process.Id);
        }
        catch (TimeoutException)
        {
            await server.DisposeAsync();
            throw new TimeoutException($"The server did not log its ready line within {StartTimeout.TotalSeconds} s:\n{server.OutputText}");
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>Kills the server (SIGKILL: no shutdown, no cleanup) and waits until it is gone.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    /// <summary>Sends SIGTERM, as Ctrl+C in a terminal or <c>systemctl stop</c> would, and returns at once.</summary>
    public void Terminate()
    {
        if (SendSignal(Pid, SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill({Pid}, SIGTERM) failed: errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    /// <summary>Waits for the server to exit by itself, with all its output read, and returns its exit code.</summary>
    /// <exception cref="TimeoutException">It still runs after <paramref name="bound"/>.</exception>
    public async Task<int> WaitForExitAsync(TimeSpan bound)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(bound);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The server still ran after {bound.TotalSeconds} s:\n{OutputText}");
        }
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            // Our own child, by its handle.
            _process.Kill(entireProcessTree: true);
        }
        await _process.WaitForExitAsync();
        _process.Dispose();
        if (_parentFolder is not null)
        {
            Directory.Delete(_parentFolder, recursive: true);
        }
    }

    private string OutputText => string.Join("\n", _output);

    private static string ServerAssembly =>
        typeof(ServerProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == "ServerAssembly")?.Value
        ?? throw new InvalidOperationException("The build did not record ServerAssembly.");

    /// <summary>The one child of a process, as the kernel lists it.</summary>
    private static int OnlyChild(int pid) =>
        int.Parse(File.ReadAllText($"/proc/{pid}/task/{pid}/children").Trim(), CultureInfo.InvariantCulture);

    [GeneratedRegex(@"listening on \S+:(\d+)")]
    private static partial Regex ReadyLine();

    // FtpServerHost.PortLinePrefix, the machine-readable line of --print-port.
    [GeneratedRegex(@"^PSSOCKETFTP_PORT=(\d+)$")]
    private static partial Regex PortLine();

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
