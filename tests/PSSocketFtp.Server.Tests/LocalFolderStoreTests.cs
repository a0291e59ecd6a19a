using Microsoft.Extensions.Time.Testing;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server.Tests;

public sealed class LocalFolderStoreTests : IDisposable
{
    private readonly string _root = Path.Join(Path.GetTempPath(), "psftp-store-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    [Fact]
    public async Task SweepPartialsAsync_AbandonedOlderThanMaxAge_DeletedRunningUploadKept()
    {
        var store = new LocalFolderStore(_root, _time);
        string partials = Path.Join(store.Root, ".psftp", "partial");
        string abandoned = Path.Join(partials, "abandoned.part");
        File.WriteAllText(abandoned, "left by a crashed server");
        File.SetLastWriteTimeUtc(abandoned, _time.GetUtcNow().UtcDateTime);
        await using var running = await store.BeginUploadAsync(new UploadRequest("", "slow.bin", 10, ConflictMode.Rename), default);
        string recent = Path.Join(partials, "recent.part");
        File.WriteAllText(recent, "young");

        _time.Advance(TimeSpan.FromHours(25));
        File.SetLastWriteTimeUtc(recent, _time.GetUtcNow().UtcDateTime);
        int deleted = await store.SweepPartialsAsync(TimeSpan.FromHours(24), default);

        Assert.Equal(1, deleted);
        Assert.False(File.Exists(abandoned));
        Assert.True(File.Exists(recent));
        Assert.Equal(2, Directory.GetFiles(partials).Length);
    }

    [Fact]
    public async Task BeginUploadAsync_DisposedWithoutCommit_PartialDeleted()
    {
        var store = new LocalFolderStore(_root, _time);
        var upload = await store.BeginUploadAsync(new UploadRequest("dir/", "x.bin", 3, ConflictMode.Rename), default);
        await upload.WriteAsync(new byte[3], default);

        await upload.DisposeAsync();

        Assert.Empty(Directory.GetFiles(Path.Join(store.Root, ".psftp", "partial")));
        Assert.False(Directory.Exists(Path.Join(store.Root, "dir")));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
