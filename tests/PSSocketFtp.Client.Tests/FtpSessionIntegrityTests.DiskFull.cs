using PSSocketFtp.Protocol;
using PSSocketFtp.Client.Tests.Support;
using PSSocketFtp.TestSupport;
using Xunit.Abstractions;

namespace PSSocketFtp.Client.Tests;

/// <summary>
/// Downloads onto a local disk that fills up (issue #4): a clear error at once, no retry, nothing half-written under the
/// target's name, an old copy kept. The disk is a real 1 MiB tmpfs; without permission to mount one, these tests say so
/// in their output and pass untested.
/// </summary>
public sealed partial class FtpSessionIntegrityTests
{
    private const int DiskSize = 1 << 20;
    private readonly ITestOutputHelper _output;

    public FtpSessionIntegrityTests(ITestOutputHelper output)
    {
        _output = output;
    }

    [Fact]
    public async Task DownloadFileAsync_LocalDiskFills_ThrowsDiskFullOnceAndResumesOnceThereIsRoom()
    {
        using var disk = SmallDisk.TryMount(DiskSize, _output);
        if (disk is null)
        {
            return;
        }
        var body = Bytes(2 * DiskSize, seed: 21);
        await using var server = FakeServer.Start(ServeDownload(body));
        var options = server.Options(_clock);
        using var session = await FtpSession.ConnectAsync(options).Soon();
        string target = Path.Combine(disk.Folder, "big.bin");

        var ex = await Assert.ThrowsAsync<IOException>(() => _clock.SkipDelaysAsync(() => session.DownloadFileAsync("big.bin", target), options.MaxRetryDelay).Soon());

        Assert.Contains("disk is full", ex.Message);
        Assert.Contains(target, ex.Message);
        Assert.False(Resilience.IsTransient(ex));
        // Not retried: the next try would find the disk as full.
        Assert.Equal(1, server.CountRequests(FrameType.Download));
        Assert.Equal(0, _clock.Delays);
        Assert.Empty(VisibleFiles(disk.Folder));
        byte[] kept = File.ReadAllBytes(Path.Combine(disk.Folder, ".big.bin.psftp-partial"));
        Assert.NotEmpty(kept);
        Assert.Equal(body.Take(kept.Length), kept);

        disk.Resize(4 * DiskSize);
        var result = await session.DownloadFileAsync("big.bin", target).Soon();

        Assert.Equal(kept.Length, result.ResumedFrom);
        Assert.Equal(body, File.ReadAllBytes(target));
    }

    [Fact]
    public async Task DownloadFileAsync_OverwriteAndLocalDiskFills_KeepsTheOldFile()
    {
        using var disk = SmallDisk.TryMount(DiskSize, _output);
        if (disk is null)
        {
            return;
        }
        var old = Bytes(100_000, seed: 22);
        string target = Path.Combine(disk.Folder, "big.bin");
        File.WriteAllBytes(target, old);
        await using var server = FakeServer.Start(ServeDownload(Bytes(2 * DiskSize, seed: 23)));
        using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();

        var ex = await Assert.ThrowsAsync<IOException>(() => session.DownloadFileAsync("big.bin", target, overwrite: true).Soon());

        Assert.Contains("disk is full", ex.Message);
        Assert.Equal(old, File.ReadAllBytes(target));
        Assert.Equal(new[] { "big.bin" }, VisibleFiles(disk.Folder));
    }

    /// <summary>The files a user sees in a folder: partial files and their sidecars start with a dot.</summary>
    private static IEnumerable<string> VisibleFiles(string folder) =>
        Directory.GetFiles(folder).Select(f => Path.GetFileName(f)).Where(name => !name.StartsWith('.'));
}
