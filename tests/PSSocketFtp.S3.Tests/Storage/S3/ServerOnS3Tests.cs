using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using PSSocketFtp.Client;
using PSSocketFtp.Protocol;
using PSSocketFtp.Server;

namespace PSSocketFtp.S3.Tests;

/// <summary>The whole server on the S3 store, started in-process with the S3 switches, through the client library.</summary>
[Collection(CephCollection.Name)]
public sealed class ServerOnS3Tests(CephFixture ceph) : IAsyncLifetime
{
    private readonly string _prefix = CephFixture.NewPrefix();
    private readonly string _local = Path.Join(Path.GetTempPath(), "psftp-s3-tests-" + Guid.NewGuid().ToString("N"));

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_local);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Directory.Delete(_local, recursive: true);
        await ceph.CleanAsync(_prefix);
    }

    private Task<RunningFtpServer> StartAsync() => FtpServerHost.StartAsync(
        ["--port", "0", "--s3-endpoint", ceph.Options.Endpoint!, "--s3-bucket", ceph.Options.Bucket!, "--s3-prefix", _prefix, "--s3-credentials", ceph.Options.CredentialsFile!],
        logging => logging.ClearProviders());

    private static Task<FtpSession> ConnectAsync(RunningFtpServer server) =>
        FtpSession.ConnectAsync(new FtpSessionOptions { ComputerName = "127.0.0.1", Port = server.EndPoint.Port, RetryCount = 0 });

    [SkippableFact]
    public async Task Session_UploadListDownloadRenameDelete_OnS3()
    {
        ceph.SkipUnlessRunning();
        await using var server = await StartAsync();
        Assert.Equal($"s3://{ceph.Options.Bucket}/{_prefix}/", server.Root);
        using var session = await ConnectAsync(server);
        var small = RandomNumberGenerator.GetBytes(5000);
        var large = RandomNumberGenerator.GetBytes(S3Upload.PartSize + 777);
        await File.WriteAllBytesAsync(Path.Join(_local, "small.bin"), small);
        await File.WriteAllBytesAsync(Path.Join(_local, "large.bin"), large);

        await session.CreateFolderAsync("/docs");
        var up1 = await session.UploadFileAsync(Path.Join(_local, "small.bin"), "/docs/");
        var up2 = await session.UploadFileAsync(Path.Join(_local, "large.bin"), "/docs/");
        var again = await session.UploadFileAsync(Path.Join(_local, "small.bin"), "/docs/");
        var items = await session.ListAsync("/docs");

        Assert.Equal(["/docs/large.bin", "/docs/small.bin", "/docs/small_1.bin"], items.Select(i => i.FullName));
        Assert.Equal(large.Length, items[0].Length);
        Assert.Equal("/docs/small_1.bin", again.RemotePath);
        await session.DownloadFileAsync("/docs/large.bin", Path.Join(_local, "back.bin"));
        Assert.Equal(large, await File.ReadAllBytesAsync(Path.Join(_local, "back.bin")));
        var hash = await session.GetFileHashAsync("/docs/small.bin");
        Assert.NotNull(hash);

        await session.RenameAsync("/docs", "/renamed");
        Assert.Equal(["/renamed", "/renamed/large.bin", "/renamed/small.bin", "/renamed/small_1.bin"], (await session.ListAsync("/", recurse: true)).Select(i => i.FullName));
        var e = await Assert.ThrowsAnyAsync<Exception>(() => session.RemoveAsync("/renamed"));
        Assert.Contains("not empty", e.Message);
        await session.RemoveAsync("/renamed", recurse: true);
        Assert.Empty(await session.ListAsync("/"));
        _ = up1;
        _ = up2;
    }

    [SkippableFact]
    public async Task UploadFileAsync_CutOnServerA_RetryResumesOnServerB()
    {
        ceph.SkipUnlessRunning();
        // Two servers on one bucket and prefix, as behind HAProxy; the client's first connection dies mid-body.
        await using var a = await StartAsync();
        await using var b = await StartAsync();
        var body = RandomNumberGenerator.GetBytes(2 * S3Upload.PartSize + (3 << 20));
        string local = Path.Join(_local, "cut.bin");
        await File.WriteAllBytesAsync(local, body);
        await using var proxy = new SwitchingProxy(a.EndPoint, b.EndPoint, cutAfter: 2 * S3Upload.PartSize + (1 << 20));
        using var session = await FtpSession.ConnectAsync(new FtpSessionOptions { ComputerName = "127.0.0.1", Port = proxy.Port, RetryCount = 3 });

        var result = await session.UploadFileAsync(local, "/");

        Assert.Equal("/cut.bin", result.RemotePath);
        // Server B was sent only what A had not stored in whole parts (and the protocol's frames), not the whole file: one
        // or two parts, as the second one A was sending when the cut came landed before or after the retry listed them.
        Assert.InRange(proxy.SentToThen, 1, body.Length - S3Upload.PartSize + (256 << 10));
        using var check = await ConnectAsync(b);
        await check.DownloadFileAsync("/cut.bin", Path.Join(_local, "back.bin"));
        Assert.Equal(body, await File.ReadAllBytesAsync(Path.Join(_local, "back.bin")));
    }

    [SkippableFact]
    public async Task Start_NoKeys_SaysWhy()
    {
        ceph.SkipUnlessRunning();
        var e = await Assert.ThrowsAsync<ArgumentException>(() => FtpServerHost.StartAsync(
            ["--port", "0", "--s3-bucket", "b", "--s3-credentials", Path.Join(_local, "missing")], logging => logging.ClearProviders()));
        Assert.Contains("credentials file", e.Message);
        e = await Assert.ThrowsAsync<ArgumentException>(() => FtpServerHost.StartAsync(
            ["--port", "0", "--s3-bucket", "b", "--s3-endpoint", "ftp://x", "--s3-credentials", ceph.Options.CredentialsFile!], logging => logging.ClearProviders()));
        Assert.Contains("endpoint", e.Message);
    }
}
