using System.Diagnostics;
using System.Management.Automation;
using System.Runtime.InteropServices;
using System.Text;

namespace PSSocketFtp.Commands;

/// <summary>
/// Finds the server and the dotnet host that runs it, and starts processes of it with quoted arguments and the output
/// drained (a full pipe would stall the server's log, and with it the server).
/// </summary>
internal static class ServerLauncher
{
    /// <summary>The environment variable that names the server's PSSocketFtp.Server.dll, instead of the module's server/ folder.</summary>
    public const string ServerVariable = "PSSOCKETFTP_SERVER";

    /// <summary>The environment variable the server's add-user command would take the password from; never passed on.</summary>
    private const string PasswordVariable = "PSSOCKETFTP_PASSWORD";

    private static readonly string ExeSuffix = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? ".exe" : "";

    /// <summary>The server: -ServerPath, else $env:PSSOCKETFTP_SERVER, else server/PSSocketFtp.Server.dll in the module's folder.</summary>
    public static string FindServer(string? serverPath)
    {
        string path = serverPath
            ?? NonEmpty(Environment.GetEnvironmentVariable(ServerVariable))
            ?? Path.Combine(Path.GetDirectoryName(typeof(ServerLauncher).Assembly.Location)!, "server", "PSSocketFtp.Server.dll");
        if (!File.Exists(path))
        {
            throw new FtpCmdletException("ServerNotFound", ErrorCategory.ObjectNotFound,
                $"The server '{path}' does not exist. The module carries it in its server folder; -ServerPath or ${ServerVariable} names another PSSocketFtp.Server.dll or a native server.");
        }
        return path;
    }

    /// <summary>
    /// What runs <paramref name="server"/>: the dotnet host with the assembly as its first argument, or, for a native
    /// server (<c>./build.ps1 -Task NativeServer</c>, any file but a .dll), the server itself.
    /// </summary>
    public static (string Program, string[] Leading) CommandFor(string server) =>
        server.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? (FindDotnet(), new[] { server }) : (server, Array.Empty<string>());

    /// <summary>
    /// The dotnet host: $env:DOTNET_HOST_PATH, this process when it is dotnet (pwsh as a dotnet tool), the host beside
    /// the runtime PowerShell runs on, $env:DOTNET_ROOT, then PATH.
    /// </summary>
    public static string FindDotnet()
    {
        var candidates = new List<string?>
        {
            NonEmpty(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH")),
            CurrentProcessPath(),
            RuntimeRootHost(),
            NonEmpty(Environment.GetEnvironmentVariable("DOTNET_ROOT")) is { } root ? Path.Combine(root, "dotnet" + ExeSuffix) : null,
        };
        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(new[] { Path.PathSeparator }, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => SafeCombine(folder, "dotnet" + ExeSuffix)));
        return candidates.FirstOrDefault(path => path is not null && File.Exists(path))
            ?? throw new FtpCmdletException("DotnetNotFound", ErrorCategory.ObjectNotFound,
                "Could not find the dotnet host that runs the server: install the .NET 10 runtime (ASP.NET Core) or SDK, put dotnet on PATH or set $env:DOTNET_ROOT.");
    }

    /// <summary>Starts <c>&lt;program&gt; &lt;arguments&gt;</c> (see <see cref="CommandFor"/>) with standard input, output and error redirected, its output going into <paramref name="output"/> and to <paramref name="onLine"/>.</summary>
    public static Process Start(string program, IEnumerable<string> arguments, OutputTail output, Action<string>? onLine, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(program, string.Join(" ", arguments.Select(Quote)))
        {
            UseShellExecute = false,
            CreateNoWindow = true,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.EnvironmentVariables.Remove(PasswordVariable);
        foreach (var variable in environment ?? new Dictionary<string, string>())
        {
            info.EnvironmentVariables[variable.Key] = variable.Value;
        }
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            output.Add(e.Data);
            if (e.Data is not null)
            {
                onLine?.Invoke(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) => output.Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>
    /// Quotes one argument for a command line as both Windows and .NET on Unix split it: in double quotes when it has
    /// blanks or quotes, backslashes doubled before a quote and at the end.
    /// </summary>
    public static string Quote(string argument)
    {
        if (argument.Length > 0 && !argument.Any(c => char.IsWhiteSpace(c) || c == '"'))
        {
            return argument;
        }
        var quoted = new StringBuilder("\"");
        int backslashes = 0;
        foreach (char c in argument)
        {
            if (c == '\\')
            {
                backslashes++;
                continue;
            }
            quoted.Append('\\', c == '"' ? backslashes * 2 + 1 : backslashes);
            backslashes = 0;
            quoted.Append(c);
        }
        return quoted.Append('\\', backslashes * 2).Append('"').ToString();
    }

    private static string? CurrentProcessPath()
    {
        try
        {
            using var current = Process.GetCurrentProcess();
            string? path = current.MainModule?.FileName;
            return path is not null && string.Equals(Path.GetFileNameWithoutExtension(path), "dotnet", StringComparison.OrdinalIgnoreCase) ? path : null;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>The dotnet host of the installation whose runtime runs PowerShell: &lt;root&gt;/shared/Microsoft.NETCore.App/&lt;version&gt;/ is where that runtime lives.</summary>
    private static string? RuntimeRootHost()
    {
        string runtime = RuntimeEnvironment.GetRuntimeDirectory().TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        string? root = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(runtime)));
        return root is null ? null : Path.Combine(root, "dotnet" + ExeSuffix);
    }

    private static string? SafeCombine(string folder, string file)
    {
        try
        {
            return Path.Combine(folder.Trim('"'), file);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
