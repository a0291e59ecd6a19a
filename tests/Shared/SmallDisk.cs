using System.Diagnostics;
using Xunit.Abstractions;

namespace PSSocketFtp.TestSupport;

/// <summary>
/// A folder on a tmpfs of its own, small enough for a test to fill for real. Mounting needs Linux and root (or
/// CAP_SYS_ADMIN): where it is not permitted, <see cref="TryMount"/> says why in the test's output and returns null, and
/// the test passes untested. Shared by the test projects as a linked file.
/// </summary>
internal sealed class SmallDisk : IDisposable
{
    private SmallDisk(string folder)
    {
        Folder = folder;
    }

    /// <summary>The mounted folder.</summary>
    public string Folder { get; }

    /// <summary>Mounts a tmpfs of <paramref name="size"/> bytes on a new temporary folder; null when it cannot.</summary>
    public static SmallDisk? TryMount(long size, ITestOutputHelper output)
    {
        string folder = Directory.CreateTempSubdirectory("psftp-smalldisk-").FullName;
        string? failure = OperatingSystem.IsLinux() ? Run("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", folder) : "a tmpfs needs Linux";
        if (failure is null)
        {
            return new SmallDisk(folder);
        }
        Directory.Delete(folder);
        output.WriteLine($"Not tested: no small disk to fill ({failure}). Run the tests as root on Linux to test a full disk.");
        return null;
    }

    /// <summary>Changes the size in place, keeping the files: room freed, as a user would make it.</summary>
    public void Resize(long size) => Check(Run("mount", "-o", $"remount,size={size}", Folder));

    /// <summary>Unmounts and deletes the folder.</summary>
    public void Dispose()
    {
        // Lazily: a file a failed test left open must neither keep the mount nor hide that test's own failure.
        Check(Run("umount", "--lazy", Folder));
        Directory.Delete(Folder);
    }

    private static void Check(string? failure)
    {
        if (failure is not null)
        {
            throw new InvalidOperationException(failure);
        }
    }

    /// <summary>Runs a command; null when it succeeded, else what went wrong.</summary>
    private static string? Run(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            string error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? null : $"{command} {string.Join(' ', arguments)} exited with {process.ExitCode}: {(output.Result + error).Trim()}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"{command} could not start: {e.Message}";
        }
    }
}
