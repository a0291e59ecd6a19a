using System.Diagnostics;
using Xunit.Abstractions;

namespace PSSocketFtp.Server.Tests;

/// <summary>
/// A folder in which no file can be created, even by root: the immutable attribute (<c>chattr +i</c>, which root may
/// set on most Linux file systems), else no permissions at all (which only a user other than root is held to). Where
/// neither holds, <see cref="TryMake"/> says so in the test's output and returns null, and the test passes untested.
/// </summary>
internal sealed class Unwritable : IDisposable
{
    private readonly string _folder;
    private readonly bool _immutable;
    private readonly UnixFileMode _mode;

    private Unwritable(string folder, bool immutable, UnixFileMode mode)
    {
        _folder = folder;
        _immutable = immutable;
        _mode = mode;
    }

    public static Unwritable? TryMake(string folder, ITestOutputHelper output)
    {
        if (!OperatingSystem.IsLinux())
        {
            output.WriteLine("Not tested: an unwritable folder is made with Linux tools here.");
            return null;
        }
        var mode = File.GetUnixFileMode(folder);
        if (Chattr("+i", folder))
        {
            if (!CanCreateIn(folder))
            {
                return new Unwritable(folder, immutable: true, mode);
            }
            Chattr("-i", folder);
        }
        File.SetUnixFileMode(folder, UnixFileMode.None);
        if (!CanCreateIn(folder))
        {
            return new Unwritable(folder, immutable: false, mode);
        }
        File.SetUnixFileMode(folder, mode);
        output.WriteLine("Not tested: neither chattr +i nor chmod 000 keeps files out of a folder here.");
        return null;
    }

    /// <summary>Writable again, so the test's folder can be deleted.</summary>
    public void Dispose()
    {
        if (_immutable)
        {
            Chattr("-i", _folder);
        }
        else if (OperatingSystem.IsLinux())
        {
            // Always so: TryMake makes none elsewhere.
            File.SetUnixFileMode(_folder, _mode);
        }
    }

    private static bool CanCreateIn(string folder)
    {
        string probe = Path.Join(folder, "probe");
        try
        {
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool Chattr(string change, string folder)
    {
        var start = new ProcessStartInfo("chattr") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(change);
        start.ArgumentList.Add(folder);
        try
        {
            using var process = Process.Start(start)!;
            process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
