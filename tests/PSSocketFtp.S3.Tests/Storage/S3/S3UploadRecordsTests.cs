using System.Buffers;
using System.Security.Cryptography;
using Amazon.S3.Model;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;
using Microsoft.Extensions.Time.Testing;
using PSSocketFtp.Server;

namespace PSSocketFtp.S3.Tests;

/// <summary>
/// Resumable uploads on the S3 store: two store instances on one bucket and prefix stand for two servers, so what one
/// stored the other continues, and what one committed the other answers.
/// </summary>
[Collection(CephCollection.Name)]
public sealed class S3UploadRecordsTests(CephFixture ceph) : IAsyncLifetime
{
    private const int Part = S3Upload.PartSize;
    private readonly string _prefix = CephFixture.NewPrefix();

    private S3FileStore NewStore(TimeProvider? time = null) => new(S3ClientFactory.Create(ceph.Options), ceph.Options.Bucket!, _prefix, time ?? TimeProvider.System);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => ceph.CleanAsync(_prefix);

    private static UploadRequest Resumable(int length, string id = "id-1", ConflictMode conflict = ConflictMode.Rename, bool retry = false) =>
        new("big.bin", null, length, conflict, id, retry, FtpHashAlgorithm.XxHash128);

    /// <summary>Writes <paramref name="body"/>[from..to) in 1 MiB frames, as the session does, adding them to <paramref name="hash"/>.</summary>
    private static async Task WriteAsync(IUploadSession upload, byte[] body, long from, long to, TransferHash? hash = null)
    {
        for (long i = from; i < to; i += 1 << 20)
        {
            int count = (int)Math.Min(1 << 20, to - i);
            hash?.Append(body, (int)i, count);
            await upload.WriteAsync(new ReadOnlySequence<byte>(body, (int)i, count), CancellationToken.None);
        }
    }

    private async Task<int> MultipartUploadsAsync() =>
        (await ceph.Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = ceph.Options.Bucket, Prefix = _prefix + "/" })).MultipartUploads?.Count ?? 0;

    /// <summary>A try that sends <paramref name="body"/>[0..to) and is cut (the session disposes the upload).</summary>
    private static async Task CutAfterAsync(S3FileStore store, UploadRequest request, byte[] body, long to)
    {
        await using var upload = await store.BeginUploadAsync(request, CancellationToken.None);
        await WriteAsync(upload, body, 0, to);
    }

    private static async Task<byte[]> ReadAllAsync(S3FileStore store, string path)
    {
        await using var download = await store.OpenReadAsync(path, CancellationToken.None);
        var copy = new MemoryStream();
        await download.Content.CopyToAsync(copy);
        return copy.ToArray();
    }

    /// <summary>Polls (with a deadline) until the one multipart upload under the prefix has <paramref name="count"/> parts stored.</summary>
    private async Task WaitForStoredPartsAsync(int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var uploads = await ceph.Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = ceph.Options.Bucket, Prefix = _prefix + "/" });
            var upload = Assert.Single(uploads.MultipartUploads ?? []);
            var parts = await ceph.Client.ListPartsAsync(new ListPartsRequest { BucketName = ceph.Options.Bucket, Key = upload.Key, UploadId = upload.UploadId });
            if ((parts.Parts?.Count ?? 0) >= count)
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"{count} parts not stored within a minute");
            await Task.Delay(50);
        }
    }

    [SkippableFact]
    public async Task BeginUpload_CutOnStoreA_ResumesOnStoreBFromTheStoredParts()
    {
        ceph.SkipUnlessRunning();
        using var a = NewStore();
        using var b = NewStore();
        var body = RandomNumberGenerator.GetBytes(2 * Part + (3 << 20) + 123);
        var request = Resumable(body.Length);

        // Server A: two whole parts stored, a third in progress when the connection is cut (the session disposes the upload).
        await using (var first = await a.BeginUploadAsync(request, CancellationToken.None))
        {
            Assert.Equal(0, first.Offset);
            await WriteAsync(first, body, 0, 2 * Part + (1 << 20));
        }

        // Server B: continues from the bytes in the bucket; the part in progress is lost and sent again.
        using var hash = TransferHash.Create(FtpHashAlgorithm.XxHash128);
        UploadResult result;
        await using (var second = await b.BeginUploadAsync(request, CancellationToken.None))
        {
            Assert.Equal(2L * Part, second.Offset);
            await second.HashPrefixAsync(hash, CancellationToken.None);
            await WriteAsync(second, body, second.Offset, body.Length, hash);
            byte[] actual = hash.GetHash();
            Assert.Equal(XxHash(body), actual);
            result = await second.CommitAsync(actual, CancellationToken.None);
        }

        Assert.Equal(new UploadResult("big.bin", body.Length, false), result with { HashAlgorithm = null, Hash = null });
        Assert.Equal(body, await ReadAllAsync(a, "big.bin"));
        // Nothing left: no multipart upload, no record of an upload in progress.
        Assert.Equal(0, await MultipartUploadsAsync());
        var own = await ceph.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = ceph.Options.Bucket, Prefix = _prefix + "/.psftp/uploads/" });
        Assert.Empty(own.S3Objects ?? []);
        // And the answer is recorded for a retry that reaches the first server.
        var found = await a.FindCommittedAsync(request with { Retry = true }, CancellationToken.None);
        Assert.NotNull(found);
        Assert.Equal(result.Hash, found.Hash);
    }

    [SkippableFact]
    public async Task BeginUpload_LaterPartStoredButNotAnEarlierOne_ResumesFromTheGapByteExact()
    {
        ceph.SkipUnlessRunning();
        var body = RandomNumberGenerator.GetBytes(4 * Part + 500);
        var request = Resumable(body.Length);
        using var a = NewStore();
        await CutAfterAsync(a, request, body, Part + (1 << 20));
        // With two parts in flight at a cut, part 3 may land while part 2 did not: store part 3 alone, as that cut would.
        var started = await ceph.Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = ceph.Options.Bucket, Prefix = _prefix + "/" });
        var multipart = Assert.Single(started.MultipartUploads ?? []);
        await ceph.Client.UploadPartAsync(new UploadPartRequest
        {
            BucketName = ceph.Options.Bucket,
            Key = multipart.Key,
            UploadId = multipart.UploadId,
            PartNumber = 3,
            InputStream = new MemoryStream(body, 2 * Part, Part, writable: false),
        });

        // The bytes held end at the gap: part 3 is sent again (the same bytes), never skipped.
        using var b = NewStore();
        await using (var second = await b.BeginUploadAsync(request, CancellationToken.None))
        {
            Assert.Equal(Part, second.Offset);
            await WriteAsync(second, body, second.Offset, body.Length);
            Assert.Equal(body.Length, (await second.CommitAsync(null, CancellationToken.None)).Length);
        }

        Assert.Equal(body, await ReadAllAsync(a, "big.bin"));
    }

    [SkippableFact]
    public async Task BeginUpload_ResumeWithOtherValues_StartsOver()
    {
        ceph.SkipUnlessRunning();
        using var a = NewStore();
        using var b = NewStore();
        var body = RandomNumberGenerator.GetBytes(Part + 100);
        await using (var first = await a.BeginUploadAsync(Resumable(body.Length), CancellationToken.None))
        {
            await WriteAsync(first, body, 0, Part);
        }

        await using var second = await b.BeginUploadAsync(Resumable(body.Length, conflict: ConflictMode.Overwrite), CancellationToken.None);

        Assert.Equal(0, second.Offset);
        // The other values' parts are aborted, not kept beside.
        Assert.Equal(1, await MultipartUploadsAsync());
        await WriteAsync(second, body, 0, body.Length);
        Assert.Equal(body.Length, (await second.CommitAsync(null, CancellationToken.None)).Length);
    }

    [SkippableTheory]
    [InlineData(1000)]
    [InlineData(Part + 1000)]
    public async Task FindCommittedAsync_AnswerLost_OtherStoreAnswersFromTheRecord(int size)
    {
        ceph.SkipUnlessRunning();
        using var a = NewStore();
        using var b = NewStore();
        var body = RandomNumberGenerator.GetBytes(size);
        var request = Resumable(size);
        Assert.Null(await b.FindCommittedAsync(request with { Retry = true }, CancellationToken.None));
        UploadResult committed;
        await using (var upload = await a.BeginUploadAsync(request, CancellationToken.None))
        {
            await WriteAsync(upload, body, 0, size);
            committed = await upload.CommitAsync(XxHash(body), CancellationToken.None);
        }

        var found = await b.FindCommittedAsync(request with { Retry = true }, CancellationToken.None);

        Assert.NotNull(found);
        Assert.Equal((committed.Path, committed.Length, committed.Renamed, committed.HashAlgorithm), (found.Path, found.Length, found.Renamed, found.HashAlgorithm));
        Assert.Equal(committed.Hash, found.Hash);
        // Another file under the same id is a new upload, not this one's answer.
        Assert.Null(await b.FindCommittedAsync(request with { Retry = true, Conflict = ConflictMode.Fail }, CancellationToken.None));
        Assert.Null(await b.FindCommittedAsync(request with { Retry = true, UploadId = "id-2" }, CancellationToken.None));
    }

    [SkippableFact]
    public async Task WriteAsync_TakenOverByAnotherStore_FailsAndTheNewOwnerCommits()
    {
        ceph.SkipUnlessRunning();
        using var a = NewStore();
        using var b = NewStore();
        var body = RandomNumberGenerator.GetBytes(2 * Part + 10);
        var request = Resumable(body.Length);
        await using var first = await a.BeginUploadAsync(request, CancellationToken.None);
        await WriteAsync(first, body, 0, Part);
        // The part goes up while the next fills: the takeover comes once it is stored.
        await WaitForStoredPartsAsync(1);

        await using var second = await b.BeginUploadAsync(request, CancellationToken.None);

        Assert.Equal(Part, second.Offset);
        // The old try's next part fails its ownership check; that shows at its next part or, here, its commit.
        var e = await Assert.ThrowsAsync<FtpException>(async () =>
        {
            await WriteAsync(first, body, Part, 2 * Part);
            await first.CommitAsync(null, CancellationToken.None);
        });
        Assert.Equal(FtpStatus.AccessDenied, e.Status);
        await first.DiscardAsync();
        await WriteAsync(second, body, Part, body.Length);
        Assert.Equal("big.bin", (await second.CommitAsync(null, CancellationToken.None)).Path);
        Assert.Equal(0, await MultipartUploadsAsync());
    }

    [SkippableFact]
    public async Task CommitAsync_TakenOverByAnotherStore_Fails()
    {
        ceph.SkipUnlessRunning();
        using var a = NewStore();
        using var b = NewStore();
        var body = RandomNumberGenerator.GetBytes(Part + 10);
        var request = Resumable(body.Length);
        await using var first = await a.BeginUploadAsync(request, CancellationToken.None);
        await WriteAsync(first, body, 0, body.Length - 10);
        await using var second = await b.BeginUploadAsync(request, CancellationToken.None);
        await WriteAsync(first, body, body.Length - 10, body.Length);

        var e = await Assert.ThrowsAsync<FtpException>(() => first.CommitAsync(null, CancellationToken.None));

        Assert.Equal(FtpStatus.AccessDenied, e.Status);
        Assert.Equal(FtpStatus.NotFound, (await Assert.ThrowsAsync<FtpException>(() => b.StatAsync("big.bin", CancellationToken.None))).Status);
    }

    [SkippableFact]
    public async Task SweepPartialsAsync_OldRecords_DeletedAndTheirPartsAborted()
    {
        ceph.SkipUnlessRunning();
        using var store = NewStore();
        var body = RandomNumberGenerator.GetBytes(Part + 10);
        // A committed small resumable upload (its record), and a large one left unfinished (its record and parts).
        await using (var small = await store.BeginUploadAsync(Resumable(10, "small"), CancellationToken.None))
        {
            await WriteAsync(small, body, 0, 10);
            await small.CommitAsync(null, CancellationToken.None);
        }
        await using (var large = await store.BeginUploadAsync(Resumable(body.Length, "large"), CancellationToken.None))
        {
            await WriteAsync(large, body, 0, Part);
        }

        Assert.Equal(0, await store.SweepPartialsAsync(TimeSpan.FromHours(1), CancellationToken.None));
        Assert.Equal(1, await MultipartUploadsAsync());
        Assert.Equal(3, await store.SweepPartialsAsync(TimeSpan.Zero, CancellationToken.None));

        Assert.Equal(0, await MultipartUploadsAsync());
        var own = await ceph.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = ceph.Options.Bucket, Prefix = _prefix + "/.psftp/" });
        Assert.Empty(own.S3Objects ?? []);
        Assert.Null(await store.FindCommittedAsync(Resumable(10, "small"), CancellationToken.None));
        await using var again = await store.BeginUploadAsync(Resumable(body.Length, "large"), CancellationToken.None);
        Assert.Equal(0, again.Offset);
    }

    [SkippableTheory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task SweepPartialsAsync_UploadLongerThanTheAge_KeepsItWhileItReceivesAndSweepsTheAbandoned(bool resumable)
    {
        ceph.SkipUnlessRunning();
        var maxAge = TimeSpan.FromHours(1);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var store = NewStore(time);
        // As the sweeper does at start: the store learns the age its uploads must stay younger than.
        Assert.Equal(0, await store.SweepPartialsAsync(maxAge, CancellationToken.None));
        var body = RandomNumberGenerator.GetBytes(4 * Part + 123);
        UploadRequest Request(string name, string id) => resumable ? Resumable(body.Length, id) with { Path = name } : new UploadRequest(name, null, body.Length);
        await using var running = await store.BeginUploadAsync(Request("running.bin", "running"), CancellationToken.None);
        await using var abandoned = await store.BeginUploadAsync(Request("abandoned.bin", "abandoned"), CancellationToken.None);
        await WriteAsync(abandoned, body, 0, Part);

        // A slow link: a part every 25 minutes, so the upload spans more than the age before the sweep runs again.
        for (int part = 0; part < 3; part++)
        {
            await WriteAsync(running, body, (long)part * Part, (long)(part + 1) * Part);
            time.Advance(TimeSpan.FromMinutes(25));
        }
        Assert.Equal(2, await MultipartUploadsAsync());
        await store.SweepPartialsAsync(maxAge, CancellationToken.None);

        // The abandoned one is gone (its parts, and its record when it has one); the running one is whole.
        Assert.Equal(1, await MultipartUploadsAsync());
        var records = await ceph.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = ceph.Options.Bucket, Prefix = _prefix + "/.psftp/uploads/" });
        Assert.Equal(resumable ? 1 : 0, records.S3Objects?.Count ?? 0);
        await WriteAsync(running, body, 3L * Part, body.Length);
        Assert.Equal("running.bin", (await running.CommitAsync(null, CancellationToken.None)).Path);
        Assert.Equal(body, await ReadAllAsync(store, "running.bin"));
        // Its marker went with it.
        var markers = await ceph.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = ceph.Options.Bucket, Prefix = _prefix + "/.psftp/live/" });
        Assert.Empty(markers.S3Objects ?? []);
    }

    [SkippableFact]
    public async Task SweepPartialsAsync_UploadQuietLongerThanTheAge_Swept()
    {
        ceph.SkipUnlessRunning();
        var maxAge = TimeSpan.FromHours(1);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var store = NewStore(time);
        await store.SweepPartialsAsync(maxAge, CancellationToken.None);
        var body = RandomNumberGenerator.GetBytes(3 * Part);
        await using var upload = await store.BeginUploadAsync(Resumable(body.Length), CancellationToken.None);
        // Marked alive once (past the refresh interval), then nothing for longer than the age: a client that vanished.
        await WriteAsync(upload, body, 0, Part);
        time.Advance(TimeSpan.FromMinutes(20));
        await WriteAsync(upload, body, Part, 2 * Part);
        time.Advance(maxAge);

        Assert.Equal(3, await store.SweepPartialsAsync(maxAge, CancellationToken.None));

        Assert.Equal(0, await MultipartUploadsAsync());
        var own = await ceph.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = ceph.Options.Bucket, Prefix = _prefix + "/.psftp/" });
        Assert.Empty(own.S3Objects ?? []);
    }

    private static byte[] XxHash(byte[] body)
    {
        using var hash = TransferHash.Create(FtpHashAlgorithm.XxHash128);
        hash.Append(body, 0, body.Length);
        return hash.GetHash();
    }
}
