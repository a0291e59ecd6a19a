using System.Diagnostics;

namespace PSSocketFtp.S3.Tests;

/// <summary>Runs the scripts of deploy/ (Ceph, HAProxy) as root, through <c>sudo -n</c> when the tests are not root.</summary>
internal static class DeployScript
{
    /// <summary>
    /// Runs <paramref name="script"/> (a path under the repository, e.g. <c>deploy/ceph/start-ceph.sh</c>) with
    /// <paramref name="arguments"/> and <paramref name="environment"/>, and returns its standard output; throws when it
    /// fails or outlasts <paramref name="limit"/>.
    /// </summary>
    public static string Run(string script, TimeSpan limit, IReadOnlyList<string>? arguments = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        string path = Path.Join(RepoRoot(), script);
        string name = Path.GetFileName(script);
        bool root = Environment.UserName == "root";
        var start = new ProcessStartInfo(root ? path : "sudo")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (!root)
        {
            // sudo resets the environment: the settings go through env on its command line.
            start.ArgumentList.Add("-n");
            start.ArgumentList.Add("env");
            foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            {
                start.ArgumentList.Add($"{key}={value}");
            }
            start.ArgumentList.Add(path);
        }
        else
        {
            foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            {
                start.Environment[key] = value;
            }
        }
        foreach (string argument in arguments ?? [])
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{name} did not finish within {limit.TotalSeconds} s");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{name} exited with {process.ExitCode}: {error.Result.Trim()} {output.Result.Trim()}".Trim());
        }
        return output.Result;
    }

    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Join(dir.FullName, "PSSocketFtp.sln")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("the repository (PSSocketFtp.sln) is not above the test's folder");
    }
}
