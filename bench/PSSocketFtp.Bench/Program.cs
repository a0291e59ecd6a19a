using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using PSSocketFtp.Client;
using Microsoft.Extensions.Logging;
using PSSocketFtp.Server;

// Usage: dotnet run -c Release --project bench/PSSocketFtp.Bench [-- --size-mb 1024 --small-files 1000 --repeat 3]
// Each scenario prints its time and its ratio to a plain socket copy of the same bytes, measured in this run. Library
// rows also print the CPU time the process spent (client and server are both in it), which other load on a shared
// machine disturbs far less than the elapsed time.
// Against real FTP servers (vsftpd, pyftpdlib) rather than a plain socket: bench/side-by-side/Invoke-SideBySide.ps1.
int sizeMb = ArgValue("--size-mb", 1024);
int smallFiles = ArgValue("--small-files", 1000);
// Each library scenario runs this many times and the fastest counts: single runs on a VM swing with disk writeback.
int repeat = ArgValue("--repeat", 3);
const int SmallFileSize = 4096;

string work = Path.Combine(Path.GetTempPath(), "psftp-bench-" + Guid.NewGuid().ToString("N"));
string local = Directory.CreateDirectory(Path.Combine(work, "local")).FullName;
string root = Directory.CreateDirectory(Path.Combine(work, "root")).FullName;
string module = Path.Combine(FindRepoRoot(), "artifacts", "module", "PSSocketFtp", "PSSocketFtp.psd1");
try
{
    Console.WriteLine($"Preparing a {sizeMb} MiB file and {smallFiles} files of {SmallFileSize} bytes in {work}");
    string big = Path.Combine(local, "big.bin");
    WriteFile(big, (long)sizeMb * 1024 * 1024);
    string smallDir = Directory.CreateDirectory(Path.Combine(local, "small")).FullName;
    var small = Enumerable.Range(0, smallFiles).Select(i => Path.Combine(smallDir, $"f{i:D5}.bin")).ToArray();
    foreach (var file in small)
    {
        WriteFile(file, SmallFileSize);
    }

    await using var server = await FtpServerHost.StartAsync(["--root", root, "--port", "0"], logging => logging.SetMinimumLevel(LogLevel.Warning));
    var options = new FtpSessionOptions { ComputerName = "127.0.0.1", Port = server.EndPoint.Port };

    var rows = new List<(string Name, Timing Time, Timing Baseline, long Bytes)>();
    Timing copyBig = await BestAsync(repeat, () => PlainSocketCopyAsync([big], Path.Combine(work, "plain-big")));
    Timing copySmall = await BestAsync(repeat, () => PlainSocketCopyAsync(small, Path.Combine(work, "plain-small")));
    long bigBytes = new FileInfo(big).Length;
    long smallBytes = (long)smallFiles * SmallFileSize;

    using (var session = await FtpSession.ConnectAsync(options))
    {
        string back = Path.Combine(work, "lib-down.bin");
        rows.Add(("library: upload big file", await BestAsync(repeat, () => session.UploadFileAsync(big, "/lib/", PSSocketFtp.Protocol.ConflictMode.Overwrite)), copyBig, bigBytes));
        rows.Add(("library: download big file", await BestAsync(repeat, async () =>
        {
            File.Delete(back);
            await session.DownloadFileAsync("/lib/big.bin", back);
        }), copyBig, bigBytes));
        rows.Add(("library: upload small files", await BestAsync(repeat, async () =>
        {
            foreach (var file in small)
            {
                await session.UploadFileAsync(file, "/lib-small/", PSSocketFtp.Protocol.ConflictMode.Overwrite);
            }
        }), copySmall, smallBytes));
        File.Delete(back);
    }
    // What integrity adds at each end of a transfer: the end-to-end hash of every byte (XXH128, the default) and the check
    // of every 256 KiB DATA frame (protocol version 2: XXH3), here in memory, so that only that work counts.
    Timing endHash = await BestAsync(repeat, () => HashAsync(bigBytes, frameChecks: false));
    Timing frameChecks = await BestAsync(repeat, () => HashAsync(bigBytes, frameChecks: true));
    Directory.Delete(Path.Combine(root, "lib"), recursive: true);
    Directory.Delete(Path.Combine(root, "lib-small"), recursive: true);

    if (File.Exists(module))
    {
        // Real PowerShell (the repo's local pwsh tool), as a user runs it; the script times each step itself, so pwsh's start-up is not counted.
        string script = $$"""
            Import-Module '{{module}}'
            $null = Connect-FtpSocket 127.0.0.1 -Port {{server.EndPoint.Port}}
            $up = Measure-Command { Send-FtpFile '{{big}}' -Destination /cmd/ }
            $down = Measure-Command { Receive-FtpFile /cmd/big.bin -Destination '{{Path.Combine(work, "cmd-down.bin")}}' }
            $small = Measure-Command { Get-ChildItem '{{smallDir}}' | Send-FtpFile -Destination /cmd-small/ }
            "CMDLET_SECONDS=$($up.TotalSeconds);$($down.TotalSeconds);$($small.TotalSeconds)"
            """;
        var seconds = RunPwsh(FindRepoRoot(), script);
        rows.Add(("cmdlets: Send-FtpFile big file", Timing.ElapsedOnly(seconds[0]), copyBig, bigBytes));
        rows.Add(("cmdlets: Receive-FtpFile big file", Timing.ElapsedOnly(seconds[1]), copyBig, bigBytes));
        rows.Add(("cmdlets: Get-ChildItem | Send-FtpFile small", Timing.ElapsedOnly(seconds[2]), copySmall, smallBytes));
    }
    else
    {
        Console.WriteLine($"Skipping the cmdlets: no built module at {module} (run dotnet build first).");
    }

    Console.WriteLine();
    Console.WriteLine($"{"scenario",-44} {"seconds",9} {"MB/s",9} {"plain s",9} {"ratio",7} {"cpu s",9} {"cpu ratio",9}");
    Console.WriteLine(Row("plain socket copy: big file", copyBig, copyBig, bigBytes));
    Console.WriteLine(Row("plain socket copy: small files", copySmall, copySmall, smallBytes));
    foreach (var (name, time, baseline, bytes) in rows)
    {
        Console.WriteLine(Row(name, time, baseline, bytes));
    }
    Console.WriteLine();
    foreach (var (what, time) in new[] { ("end-to-end hash (XXH128)", endHash), ("frame checks (XXH3)", frameChecks) })
    {
        Console.WriteLine($"integrity at each end, {what}: {time.Elapsed.TotalSeconds:0.000} s for the big file, "
            + $"{time.Elapsed / rows[0].Time.Elapsed:P1} of the library upload's time, {time.Elapsed / rows[1].Time.Elapsed:P1} of the download's");
    }
    Console.WriteLine("ratio = scenario time / plain socket copy time of the same bytes (1.00 = as fast as a bare socket); cpu: the same for the");
    Console.WriteLine("process's CPU time (not measured for the cmdlets, which run in pwsh). Library and plain rows: best of --repeat runs.");
}
finally
{
    Directory.Delete(work, recursive: true);
}

static string Row(string name, Timing time, Timing baseline, long bytes)
{
    string cpu = time.Cpu is { } c && baseline.Cpu is { } b ? $"{c.TotalSeconds,9:0.000} {c / b,9:0.00}" : $"{"-",9} {"-",9}";
    return $"{name,-44} {time.Elapsed.TotalSeconds,9:0.000} {bytes / 1e6 / time.Elapsed.TotalSeconds,9:0.0} {baseline.Elapsed.TotalSeconds,9:0.000} {time.Elapsed / baseline.Elapsed,7:0.00} {cpu}";
}

// The fastest elapsed time and, separately, the least CPU time of the runs.
static async Task<Timing> BestAsync(int times, Func<Task> action)
{
    Timing best = new(TimeSpan.MaxValue, TimeSpan.MaxValue);
    using var process = Process.GetCurrentProcess();
    for (int i = 0; i < times; i++)
    {
        process.Refresh();
        var cpuBefore = process.TotalProcessorTime;
        var watch = Stopwatch.StartNew();
        await action();
        var elapsed = watch.Elapsed;
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        best = new Timing(elapsed < best.Elapsed ? elapsed : best.Elapsed, cpu < best.Cpu ? cpu : best.Cpu);
    }
    return best;
}

// One end's integrity work on a body of this size: the end-to-end hash, or the frame checks.
static Task HashAsync(long bytes, bool frameChecks)
{
    var block = new byte[256 * 1024];
    new Random(7).NextBytes(block);
    using var hash = PSSocketFtp.Protocol.TransferHash.Create(PSSocketFtp.Protocol.FtpHashAlgorithm.XxHash128);
    ulong checks = 0;
    for (long done = 0; done < bytes; done += block.Length)
    {
        var chunk = block.AsSpan(0, (int)Math.Min(block.Length, bytes - done));
        if (frameChecks)
        {
            checks += System.IO.Hashing.XxHash3.HashToUInt64(chunk);
        }
        else
        {
            hash.Append(chunk);
        }
    }
    GC.KeepAlive(checks);
    _ = hash.GetHash();
    return Task.CompletedTask;
}

static double[] RunPwsh(string repo, string script)
{
    var start = new ProcessStartInfo("dotnet", ["pwsh", "-NoProfile", "-NonInteractive", "-Command", "-"])
    {
        WorkingDirectory = repo,
        RedirectStandardInput = true,
        RedirectStandardOutput = true,
    };
    using var pwsh = Process.Start(start) ?? throw new InvalidOperationException("Could not start pwsh (run dotnet tool restore).");
    pwsh.StandardInput.Write(script);
    pwsh.StandardInput.Close();
    string output = pwsh.StandardOutput.ReadToEnd();
    pwsh.WaitForExit();
    // Matched anywhere in the line: the console host may put terminal control codes in front of it.
    var match = System.Text.RegularExpressions.Regex.Match(output, @"CMDLET_SECONDS=([0-9.E-]+);([0-9.E-]+);([0-9.E-]+)");
    if (!match.Success)
    {
        throw new InvalidOperationException("The cmdlet run failed:" + Environment.NewLine + output);
    }
    return match.Groups.Cast<System.Text.RegularExpressions.Group>().Skip(1).Select(g => double.Parse(g.Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
}

// The baseline: files copied over one bare loopback socket (8-byte length, then the bytes) into files on the other side.
static async Task PlainSocketCopyAsync(string[] files, string targetDir)
{
    Directory.CreateDirectory(targetDir);
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    var receive = Task.Run(async () =>
    {
        using var client = await listener.AcceptTcpClientAsync();
        using var stream = client.GetStream();
        var buffer = new byte[256 * 1024];
        var header = new byte[8];
        for (int i = 0; i < files.Length; i++)
        {
            await stream.ReadExactlyAsync(header);
            long remaining = BitConverter.ToInt64(header);
            using var target = new FileStream(Path.Combine(targetDir, i.ToString()), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
            while (remaining > 0)
            {
                int read = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)));
                await target.WriteAsync(buffer.AsMemory(0, read));
                remaining -= read;
            }
        }
        await stream.WriteAsync(new byte[1]);
    });
    using (var client = new TcpClient { NoDelay = true })
    {
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var stream = client.GetStream();
        var buffer = new byte[256 * 1024];
        foreach (var file in files)
        {
            using var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
            await stream.WriteAsync(BitConverter.GetBytes(source.Length));
            int read;
            while ((read = await source.ReadAsync(buffer)) > 0)
            {
                await stream.WriteAsync(buffer.AsMemory(0, read));
            }
        }
        await stream.ReadExactlyAsync(new byte[1]);
    }
    await receive;
    Directory.Delete(targetDir, recursive: true);
}

static void WriteFile(string path, long length)
{
    var block = new byte[1024 * 1024];
    new Random(42).NextBytes(block);
    using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1);
    for (long written = 0; written < length; written += block.Length)
    {
        stream.Write(block, 0, (int)Math.Min(block.Length, length - written));
    }
}

static string FindRepoRoot()
{
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        if (File.Exists(Path.Combine(dir.FullName, "PSSocketFtp.sln")))
        {
            return dir.FullName;
        }
    }
    throw new InvalidOperationException("Run the bench from inside the repository.");
}

int ArgValue(string name, int fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out int value) ? value : fallback;
}

/// <summary>A scenario's elapsed time and, where measured, the CPU time the process spent on it.</summary>
internal readonly record struct Timing(TimeSpan Elapsed, TimeSpan? Cpu)
{
    public static Timing ElapsedOnly(double seconds) => new(TimeSpan.FromSeconds(seconds), null);
}
