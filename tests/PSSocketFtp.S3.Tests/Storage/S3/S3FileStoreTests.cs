using System.Buffers;
using System.Security.Cryptography;
using Amazon.S3.Model;
using Microsoft.Extensions.Time.Testing;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;
using PSSocketFtp.Server;

namespace PSSocketFtp.S3.Tests;

/// <summary>The S3 store on its own, against radosgw: each test under its own prefix, deleted after it.</summary>
[Collection(CephCollection.Name)]
public sealed class S3FileStoreTests(CephFixture ceph) : IAsyncLifetime
{
    private readonly string _prefix = CephFixture.NewPrefix();

    private S3FileStore NewStore(TimeProvider? time = null, TimeSpan? staleClaimAge = null) =>
        new(S3ClientFactory.Create(ceph.Options), ceph.Options.Bucket!, _prefix, time ?? TimeProvider.System, staleClaimAge);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => ceph.CleanAsync(_prefix);

    private static async Task<UploadResult> UploadAsync(S3FileStore store, string path, byte[] body, ConflictMode conflict = ConflictMode.Rename, string? fileName = null)
    {
        await using var upload = await store.BeginUploadAsync(new UploadRequest(path, fileName, body.Length, conflict, LastWriteTime: new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero)), CancellationToken.None);
        // In frames of 1 MiB, as the session writes them.
        for (int i = 0; i < body.Length; i += 1 << 20)
        {
            await upload.WriteAsync(new ReadOnlySequence<byte>(body, i, Math.Min(1 << 20, body.Length - i)), CancellationToken.None);
        }
        return await upload.CommitAsync(null, CancellationToken.None);
    }

    private static async Task<byte[]> ReadAsync(S3FileStore store, string path, long offset = 0)
    {
        await using var download = await store.OpenReadAsync(path, CancellationToken.None);
        download.Content.Seek(offset, SeekOrigin.Begin);
        var copy = new MemoryStream();
        await download.Content.CopyToAsync(copy);
        return copy.ToArray();
    }

    [SkippableFact]
    public async Task Upload_SmallFile_ReadsBackWithItsTime()
    {
        ceph.SkipUnlessRunning();
        using var store = NewStore();
        var body = RandomNumberGenerator.GetBytes(1000);

        var result = await UploadAsync(store, "docs/a.txt", body);

        Assert.Equal(new UploadResult("docs/a.txt", 1000, false), result);
        Assert.Equal(body, await ReadAsync(store, "docs/a.txt"));
        var entry = await store.StatAsync("/docs/a.txt", CancellationToken.None);
        Assert.Equal(new RemoteEntry("docs/a.txt", ItemKind.File, 1000, new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero)), entry);
        Assert.Equal(ItemKind.Directory, (await store.StatAsync("docs", CancellationToken.None)).Kind);
    }

    [SkippableFact]
    public async Task Upload_LargerThanOnePart_ReadsBackWholeAndFromAnOffset()
    {
        ceph.SkipUnlessRunning();
        using var store = NewStore();
        var body = RandomNumberGenerator.GetBytes(2 * S3Upload.PartSize + 12_345);

        var result = await UploadAsync(store, "big.bin", body);

        Assert.Equal(body.Length, result.Length);
        Assert.Equal(body, await ReadAsync(store, "big.bin"));
        // A resumed download seeks: the rest from there, across a part boundary.
        Assert.Equal(body.AsSpan(S3Upload.PartSize - 10).ToArray(), await ReadAsync(store, "big.bin", S3Upload.PartSize - 10));
        // Nothing left behind: no multipart upload, nothing in the server's own keys.
        var uploads = await ceph.Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = ceph.Options.Bucket, Prefix = _prefix + "/" });
        Assert.Empty(uploads.MultipartUploads ?? []);
        var own = await ceph.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = ceph.Options.Bucket, Prefix = _prefix + "/.psftp/" });
        Assert.Empty(own.S3Objects ?? []);
    }

    [SkippableTheory]
    [InlineData(100)]
    [InlineData(S3Upload.PartSize + 100)]
    public async Task Commit_TwoServersOneName_KeepsXAndX1(int size)
    {
        ceph.SkipUnlessRunning();
        using var first = NewStore();
        using var second = NewStore();
        var a = RandomNumberGenerator.GetBytes(size);
        var b = RandomNumberGenerator.GetBytes(size);
        var uploadA = await first.BeginUploadAsync(new UploadRequest("x.bin", null, size), CancellationToken.None);
        var uploadB = await second.BeginUploadAsync(new UploadRequest("x.bin", null, size), CancellationToken.None);
        await uploadA.WriteAsync(new ReadOnlySequence<byte>(a), CancellationToken.None);
        await uploadB.WriteAsync(new ReadOnlySequence<byte>(b), CancellationToken.None);

        var results = await Task.WhenAll(uploadA.CommitAsync(null, CancellationToken.None), uploadB.CommitAsync(null, CancellationToken.None));
        await uploadA.DisposeAsync();
        await uploadB.DisposeAsync();

        Assert.Equal(["x.bin", "x_1.bin"], results.Select(r => r.Path).Order(StringComparer.Ordinal));
        Assert.Equal(a, await ReadAsync(first, results[0].Path));
        Assert.Equal(b, await ReadAsync(second, results[1].Path));
        Assert.Equal(["x.bin", "x_1.bin"], (await first.ListAsync("", false, CancellationToken.None).ToListAsync()).Select(e => e.Path));
    }

    [SkippableFact]
    public async Task Commit_EightRacersOneName_EachGetsItsOwnName()
    {
        ceph.SkipUnlessRunning();
        var stores = Enumerable.Range(0, 8).Select(_ => NewStore()).ToList();

        var results = await Task.WhenAll(stores.Select((s, i) => UploadAsync(s, "r.txt", [(byte)i])));

        Assert.Equal(8, results.Select(r => r.Path).Distinct().Count());
        Assert.Contains(results, r => r.Path == "r.txt" && !r.Renamed);
        stores.ForEach(s => s.Dispose());
    }

    [SkippableFact]
    public async Task Commit_FailMode_ExistingName_AlreadyExists()
    {
        ceph.SkipUnlessRunning();
        using var store = NewStore();
        await UploadAsync(store, "f.txt", [1]);

        var e = await Assert.ThrowsAsync<FtpException>(() => UploadAsync(store, "f.txt", [2], ConflictMode.Fail));

        Assert.Equal(FtpStatus.AlreadyExists, e.Status);
        Assert.Equal([1], await ReadAsync(store, "f.txt"));
        Assert.Equal(2, (await UploadAsync(store, "f.txt", [2, 2], ConflictMode.Overwrite)).Length);
        Assert.Equal([2, 2], await ReadAsync(store, "f.txt"));
    }

    [SkippableFact]
    public async Task Claim_NeverVisible_AndAStaleOneFreesTheName()
    {
        ceph.SkipUnlessRunning();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var store = NewStore(time, TimeSpan.FromMinutes(15));
        Assert.True(await store.Claims.TryClaimAsync("c.txt", CancellationToken.None));

        Assert.Equal(FtpStatus.NotFound, (await Assert.ThrowsAsync<FtpException>(() => store.StatAsync("c.txt", CancellationToken.None))).Status);
        Assert.Equal(FtpStatus.NotFound, (await Assert.ThrowsAsync<FtpException>(() => store.OpenReadAsync("c.txt", CancellationToken.None))).Status);
        Assert.Empty(await store.ListAsync("", true, CancellationToken.None).ToListAsync());
        // Fresh: the name is taken, the rule picks the next one.
        Assert.Equal("c_1.txt", (await UploadAsync(store, "c.txt", [1])).Path);

        // A server that died mid-commit: its claim is stale after the age, and the name is free again.
        time.Advance(TimeSpan.FromMinutes(16));
        var result = await UploadAsync(store, "c.txt", [2]);
        Assert.Equal("c.txt", result.Path);
        Assert.Equal([2], await ReadAsync(store, "c.txt"));
    }

    [SkippableTheory]
    [InlineData("../outside.txt")]
    [InlineData(".psftp/partial/x")]
    [InlineData("/.PSFTP")]
    [InlineData("a/../../b")]
    public async Task HostilePath_Refused(string path)
    {
        ceph.SkipUnlessRunning();
        using var store = NewStore();

        var e = await Assert.ThrowsAsync<FtpException>(() => store.StatAsync(path, CancellationToken.None));
        Assert.Equal(FtpStatus.InvalidPath, e.Status);
        e = await Assert.ThrowsAsync<FtpException>(() => store.BeginUploadAsync(new UploadRequest(path, null, 1), CancellationToken.None));
        Assert.Equal(FtpStatus.InvalidPath, e.Status);
        e = await Assert.ThrowsAsync<FtpException>(() => store.DeleteAsync(path, true, CancellationToken.None));
        Assert.Equal(FtpStatus.InvalidPath, e.Status);
    }

    [SkippableFact]
    public async Task StateFolder_Unreachable()
    {
        ceph.SkipUnlessRunning();
        using var store = NewStore();
        await ceph.Client.PutObjectAsync(new PutObjectRequest { BucketName = ceph.Options.Bucket, Key = _prefix + "/.psftp/partial/leftover", ContentBody = "x" });
        await UploadAsync(store, "visible.txt", [1]);

        Assert.Equal(["visible.txt"], (await store.ListAsync("/", false, CancellationToken.None).ToListAsync()).Select(e => e.Path));
        Assert.Equal(["visible.txt"], (await store.ListAsync("/", true, CancellationToken.None).ToListAsync()).Select(e => e.Path));
        Assert.Equal(FtpStatus.InvalidPath, (await Assert.ThrowsAsync<FtpException>(() => store.OpenReadAsync(".psftp/partial/leftover", CancellationToken.None))).Status);
        Assert.Equal(FtpStatus.InvalidPath, (await Assert.ThrowsAsync<FtpException>(() => store.RenameAsync("visible.txt", ".psftp/x", false, CancellationToken.None))).Status);
    }

    [SkippableFact]
    public async Task List_FolderOfMoreThanOnePage_ListsEveryKey()
    {
        ceph.SkipUnlessRunning();
        using var store = NewStore();
        const int Count = 1100;
        await Parallel.ForEachAsync(Enumerable.Range(0, Count), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, token) =>
            await ceph.Client.PutObjectAsync(new PutObjectRequest { BucketName = ceph.Options.Bucket, Key = $"{_prefix}/many/f{i:D4}.txt", ContentBody = "x" }, token));

        var flat = await store.ListAsync("many", false, CancellationToken.None).ToListAsync();
        var tree = await store.ListAsync("", true, CancellationToken.None).ToListAsync();

        Assert.Equal(Enumerable.Range(0, Count).Select(i => $"many/f{i:D4}.txt"), flat.Select(e => e.Path));
        Assert.Equal(Count + 1, tree.Count);
        Assert.Equal(new RemoteEntry("many", ItemKind.Directory, 0, DateTimeOffset.UnixEpoch), tree[0]);
    }

    [SkippableFact]
    public async Task Folders_MakeDeleteRename_FollowTheLocalRules()
    {
        ceph.SkipUnlessRunning();
        using var store = NewStore();
        await store.CreateFolderAsync("a/b", false, CancellationToken.None);
        Assert.Equal(FtpStatus.AlreadyExists, (await Assert.ThrowsAsync<FtpException>(() => store.CreateFolderAsync("a/b", false, CancellationToken.None))).Status);
        await store.CreateFolderAsync("a/b", true, CancellationToken.None);
        await UploadAsync(store, "a/b", [7], fileName: "in.txt");

        Assert.Equal(FtpStatus.DirectoryNotEmpty, (await Assert.ThrowsAsync<FtpException>(() => store.DeleteAsync("a", false, CancellationToken.None))).Status);
        Assert.Equal(FtpStatus.InvalidPath, (await Assert.ThrowsAsync<FtpException>(() => store.RenameAsync("a", "a/b/c", false, CancellationToken.None))).Status);
        Assert.Equal(FtpStatus.NotADirectory, (await Assert.ThrowsAsync<FtpException>(() => store.CreateFolderAsync("a/b/in.txt/x", false, CancellationToken.None))).Status);

        await store.RenameAsync("a", "z", false, CancellationToken.None);
        Assert.Equal(["z/b", "z/b/in.txt"], (await store.ListAsync("z", true, CancellationToken.None).ToListAsync()).Select(e => e.Path));
        Assert.Equal(FtpStatus.NotFound, (await Assert.ThrowsAsync<FtpException>(() => store.StatAsync("a", CancellationToken.None))).Status);
        await store.RenameAsync("z/b/in.txt", "z/moved.txt", false, CancellationToken.None);
        Assert.Equal([7], await ReadAsync(store, "z/moved.txt"));
        // The emptied folder stays, as on a disk: MKDIR put its marker.
        Assert.Equal(ItemKind.Directory, (await store.StatAsync("z/b", CancellationToken.None)).Kind);

        await store.DeleteAsync("z/b", false, CancellationToken.None);
        await store.DeleteAsync("z", true, CancellationToken.None);
        Assert.Empty(await store.ListAsync("", true, CancellationToken.None).ToListAsync());
    }

    [SkippableFact]
    public async Task Upload_SeveralPartsInUnevenFrames_ReadsBackByteExact()
    {
        ceph.SkipUnlessRunning();
        using var store = NewStore();
        // Five parts and a short one, in frames that straddle the part boundaries: two parts go up at once.
        var body = RandomNumberGenerator.GetBytes(5 * S3Upload.PartSize + 777);
        await using (var upload = await store.BeginUploadAsync(new UploadRequest("many.bin", null, body.Length), CancellationToken.None))
        {
            const int Frame = (3 << 20) + 7;
            for (int i = 0; i < body.Length; i += Frame)
            {
                await upload.WriteAsync(new ReadOnlySequence<byte>(body, i, Math.Min(Frame, body.Length - i)), CancellationToken.None);
            }
            Assert.Equal(body.Length, (await upload.CommitAsync(null, CancellationToken.None)).Length);
        }

        Assert.Equal(body, await ReadAsync(store, "many.bin"));
        var left = await ceph.Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = ceph.Options.Bucket, Prefix = _prefix + "/" });
        Assert.Empty(left.MultipartUploads ?? []);
    }

    [SkippableFact]
    public async Task WriteAsync_PartFails_UploadFailsAndNothingIsCommitted()
    {
        ceph.SkipUnlessRunning();
        using var store = NewStore();
        var body = RandomNumberGenerator.GetBytes(4 * S3Upload.PartSize);
        await using var upload = await store.BeginUploadAsync(new UploadRequest("failed.bin", null, body.Length), CancellationToken.None);
        await upload.WriteAsync(new ReadOnlySequence<byte>(body, 0, S3Upload.PartSize), CancellationToken.None);
        // The multipart upload vanishes under the parts in flight (an operator, or the sweep of another server).
        var started = await ceph.Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = ceph.Options.Bucket, Prefix = _prefix + "/" });
        var multipart = Assert.Single(started.MultipartUploads ?? []);
        await ceph.Client.AbortMultipartUploadAsync(ceph.Options.Bucket, multipart.Key, multipart.UploadId);

        var e = await Record.ExceptionAsync(async () =>
        {
            for (int i = S3Upload.PartSize; i < body.Length; i += 1 << 20)
            {
                await upload.WriteAsync(new ReadOnlySequence<byte>(body, i, 1 << 20), CancellationToken.None);
            }
            await upload.CommitAsync(null, CancellationToken.None);
        });

        Assert.IsType<Amazon.S3.AmazonS3Exception>(e);
        await Assert.ThrowsAsync<InvalidOperationException>(() => upload.CommitAsync(null, CancellationToken.None));
        Assert.Equal(FtpStatus.NotFound, (await Assert.ThrowsAsync<FtpException>(() => store.StatAsync("failed.bin", CancellationToken.None))).Status);
    }

    [SkippableFact]
    public async Task Sweep_AbandonedMultipartUpload_Aborted()
    {
        ceph.SkipUnlessRunning();
        using var store = NewStore();
        // A server that died mid-upload: one part sent, never committed nor disposed.
        var upload = await store.BeginUploadAsync(new UploadRequest("lost.bin", null, 2L * S3Upload.PartSize), CancellationToken.None);
        await upload.WriteAsync(new ReadOnlySequence<byte>(new byte[S3Upload.PartSize]), CancellationToken.None);
        var before = await ceph.Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = ceph.Options.Bucket, Prefix = _prefix + "/" });
        Assert.Single(before.MultipartUploads ?? []);

        Assert.Equal(0, await store.SweepPartialsAsync(TimeSpan.FromHours(1), CancellationToken.None));
        Assert.Equal(1, await store.SweepPartialsAsync(TimeSpan.Zero, CancellationToken.None));

        var after = await ceph.Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = ceph.Options.Bucket, Prefix = _prefix + "/" });
        Assert.Empty(after.MultipartUploads ?? []);
    }
}
