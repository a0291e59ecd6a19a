// S3Smoke: checks that an S3 endpoint (Ceph's radosgw from deploy/ceph/start-ceph.sh) does, through the AWS SDK and
// with the settings the server's S3 store will use, each operation that store needs: put, a 3-part multipart upload,
// ranged get, list with prefix and delimiter, conditional put and multipart complete (If-None-Match: *), copy and
// delete.
//
//   dotnet run --project deploy/ceph/S3Smoke -- [--state DIR] [--endpoint URL] [--bucket NAME] [--credentials FILE]
//
// By default it reads DIR/s3.env (DIR: --state, else PSSOCKETFTP_CEPH_DIR, else /var/tmp/pssocketftp-ceph), which
// start-ceph.sh writes. The keys are only ever read from the credentials file. Prints one line per check and exits
// 1 when one failed. Whether If-None-Match is honoured is a finding, not a failure: it says so either way (but a
// put that honours it must let exactly one of several racing puts win).
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

var options = ParseArgs(args);
var stateDir = options.GetValueOrDefault("state")
    ?? Environment.GetEnvironmentVariable("PSSOCKETFTP_CEPH_DIR") ?? "/var/tmp/pssocketftp-ceph";
var env = ReadKeyValues(Path.Combine(stateDir, "s3.env"), '=');
string Setting(string option, string envName) =>
    options.GetValueOrDefault(option) ?? env.GetValueOrDefault(envName)
    ?? throw new InvalidOperationException($"no --{option} and no {envName} in {stateDir}/s3.env");
var endpoint = Setting("endpoint", "PSSOCKETFTP_S3_ENDPOINT");
var bucket = Setting("bucket", "PSSOCKETFTP_S3_BUCKET");
var credentialsFile = Setting("credentials", "PSSOCKETFTP_S3_CREDENTIALS");
var keys = ReadKeyValues(credentialsFile, '=');

var config = new AmazonS3Config
{
    ServiceURL = endpoint,
    ForcePathStyle = true,                 // radosgw on 127.0.0.1: no bucket.host names
    AuthenticationRegion = "us-east-1",
    // The SDK's default (WHEN_SUPPORTED) adds CRC trailers and checksum headers that radosgw 16.2 does not know.
    RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
    ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    Timeout = TimeSpan.FromSeconds(60),
};
using var s3 = new AmazonS3Client(new BasicAWSCredentials(keys["aws_access_key_id"], keys["aws_secret_access_key"]), config);

var prefix = $"s3smoke/{DateTime.UtcNow:yyyyMMddHHmmss}-{Guid.NewGuid():N}"[..40] + "/";
var failures = 0;
var conditionalPut = "not checked";
Console.WriteLine($"S3Smoke: {endpoint} bucket {bucket}, keys under {prefix}");

async Task Check(string name, Func<Task<string>> body)
{
    var sw = Stopwatch.StartNew();
    try
    {
        var detail = await body();
        Console.WriteLine($"PASS {name,-22} {sw.ElapsedMilliseconds,6} ms  {detail}");
    }
    catch (Exception e)
    {
        failures++;
        Console.WriteLine($"FAIL {name,-22} {sw.ElapsedMilliseconds,6} ms  {e.GetType().Name}: {e.Message}");
    }
}

var small = RandomNumberGenerator.GetBytes(100_000);
await Check("put", async () =>
{
    var r = await s3.PutObjectAsync(new PutObjectRequest
    {
        BucketName = bucket, Key = prefix + "a/small.bin", InputStream = new MemoryStream(small), ContentType = "application/octet-stream",
    });
    var back = await ReadAll(await s3.GetObjectAsync(bucket, prefix + "a/small.bin"));
    Expect(back.AsSpan().SequenceEqual(small), "the object read back differs");
    return $"100000 bytes, ETag {r.ETag}";
});

const int PartSize = 5 * 1024 * 1024; // S3's minimum for every part but the last
var multipartKey = prefix + "a/big.bin";
var whole = RandomNumberGenerator.GetBytes(2 * PartSize + 1_234_567);
await Check("multipart (3 parts)", async () =>
{
    var init = await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = multipartKey });
    var etags = new List<PartETag>();
    try
    {
        for (var part = 1; part <= 3; part++)
        {
            var offset = (part - 1) * PartSize;
            var length = Math.Min(PartSize, whole.Length - offset);
            // A seekable stream per part: the SDK can sign it and retry it.
            var r = await s3.UploadPartAsync(new UploadPartRequest
            {
                BucketName = bucket, Key = multipartKey, UploadId = init.UploadId, PartNumber = part,
                InputStream = new MemoryStream(whole, offset, length, writable: false), PartSize = length,
            });
            etags.Add(new PartETag(part, r.ETag));
        }
        // The parts that an interrupted upload left: what a resume would ask for.
        var listed = await s3.ListPartsAsync(new ListPartsRequest { BucketName = bucket, Key = multipartKey, UploadId = init.UploadId });
        Expect(listed.Parts?.Count == 3, $"ListParts gave {listed.Parts?.Count} parts");
        var done = await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
        {
            BucketName = bucket, Key = multipartKey, UploadId = init.UploadId, PartETags = etags,
        });
        var head = await s3.GetObjectMetadataAsync(bucket, multipartKey);
        Expect(head.ContentLength == whole.Length, $"length {head.ContentLength}, expected {whole.Length}");
        return $"{whole.Length} bytes, ETag {done.ETag}";
    }
    catch
    {
        await s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = bucket, Key = multipartKey, UploadId = init.UploadId });
        throw;
    }
});

await Check("ranged get", async () =>
{
    // Across the boundary of parts 1 and 2, as a resumed download would ask for.
    long start = PartSize - 1000, end = PartSize + 999;
    using var r = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = multipartKey, ByteRange = new ByteRange(start, end) });
    var got = await ReadAll(r);
    Expect(r.HttpStatusCode == HttpStatusCode.PartialContent, $"status {r.HttpStatusCode}");
    Expect(got.AsSpan().SequenceEqual(whole.AsSpan((int)start, (int)(end - start + 1))), "the range differs");
    return $"bytes {start}-{end} ({got.Length}), {r.ContentRange}";
});

await Check("list prefix/delimiter", async () =>
{
    await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = prefix + "top.txt", ContentBody = "top" });
    await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = prefix + "b/c/deep.txt", ContentBody = "deep" });
    var r = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = prefix, Delimiter = "/" });
    var files = (r.S3Objects ?? []).Select(o => o.Key[prefix.Length..]).ToList();
    var folders = (r.CommonPrefixes ?? []).Select(p => p[prefix.Length..]).ToList();
    Expect(files.SequenceEqual(["top.txt"]), $"files [{string.Join(", ", files)}]");
    Expect(folders.SequenceEqual(["a/", "b/"]), $"folders [{string.Join(", ", folders)}]");
    // Paged, as a listing of a large folder would go.
    var paged = new List<string>();
    string? token = null;
    do
    {
        var page = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = prefix + "a/", MaxKeys = 1, ContinuationToken = token });
        paged.AddRange((page.S3Objects ?? []).Select(o => o.Key));
        token = page.IsTruncated == true ? page.NextContinuationToken : null;
    } while (token != null);
    Expect(paged.Count == 2, $"paged listing gave {paged.Count} keys");
    return $"files [{string.Join(", ", files)}], folders [{string.Join(", ", folders)}], 2 pages of 1";
});

await Check("conditional put", async () =>
{
    var key = prefix + "once.txt";
    var first = await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = "first", IfNoneMatch = "*" });
    try
    {
        await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, ContentBody = "second", IfNoneMatch = "*" });
    }
    catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
    {
        var body = await ReadAll(await s3.GetObjectAsync(bucket, key));
        Expect(System.Text.Encoding.UTF8.GetString(body) == "first", "the refused put changed the object");
        // Racing: N puts of one new key at once; exactly one may win.
        const int racers = 8;
        var raceKey = prefix + "race.txt";
        var results = await Task.WhenAll(Enumerable.Range(0, racers).Select(async i =>
        {
            try
            {
                await s3.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = raceKey, ContentBody = $"racer {i}", IfNoneMatch = "*" });
                return 1;
            }
            catch (AmazonS3Exception x) when (x.StatusCode == HttpStatusCode.PreconditionFailed) { return 0; }
        }));
        var winners = results.Sum();
        conditionalPut = $"honoured: a second put got 412; {winners} of {racers} racing puts won";
        Expect(winners == 1, $"{winners} of {racers} racing conditional puts succeeded");
        return conditionalPut;
    }
    var after = System.Text.Encoding.UTF8.GetString(await ReadAll(await s3.GetObjectAsync(bucket, key)));
    conditionalPut = $"IGNORED: the second put succeeded and the object now reads \"{after}\"";
    return conditionalPut + $" (first ETag {first.ETag})";
});

var conditionalComplete = "not checked";
await Check("conditional complete", async () =>
{
    // A large upload ends with CompleteMultipartUpload, not a put: does If-None-Match: * hold there too?
    async Task<string> Upload(string key, string text)
    {
        var init = await s3.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = bucket, Key = key });
        var part = await s3.UploadPartAsync(new UploadPartRequest
        {
            BucketName = bucket, Key = key, UploadId = init.UploadId, PartNumber = 1,
            InputStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)),
        });
        try
        {
            await s3.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = bucket, Key = key, UploadId = init.UploadId, PartETags = [new PartETag(1, part.ETag)], IfNoneMatch = "*",
            });
            return "completed";
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            await s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = init.UploadId });
            return "412";
        }
    }
    var key = prefix + "once-multipart.txt";
    var first = await Upload(key, "first");
    Expect(first == "completed", "the first conditional complete of a new key was refused");
    var second = await Upload(key, "second");
    var now = System.Text.Encoding.UTF8.GetString(await ReadAll(await s3.GetObjectAsync(bucket, key)));
    conditionalComplete = second == "412"
        ? "honoured: completing onto an existing key got 412"
        : $"IGNORED: completing onto an existing key succeeded, the object now reads \"{now}\"";
    return conditionalComplete;
});

await Check("copy", async () =>
{
    var r = await s3.CopyObjectAsync(new CopyObjectRequest
    {
        SourceBucket = bucket, SourceKey = multipartKey, DestinationBucket = bucket, DestinationKey = prefix + "copy/big.bin",
    });
    var head = await s3.GetObjectMetadataAsync(bucket, prefix + "copy/big.bin");
    Expect(head.ContentLength == whole.Length, $"copy has {head.ContentLength} bytes");
    return $"{head.ContentLength} bytes, ETag {r.ETag}";
});

await Check("delete", async () =>
{
    var all = new List<string>();
    string? token = null;
    do
    {
        var page = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = prefix, ContinuationToken = token });
        all.AddRange((page.S3Objects ?? []).Select(o => o.Key));
        token = page.IsTruncated == true ? page.NextContinuationToken : null;
    } while (token != null);
    await s3.DeleteObjectAsync(bucket, all[0]);
    var rest = all.Skip(1).Select(k => new KeyVersion { Key = k }).ToList();
    if (rest.Count > 0)
        await s3.DeleteObjectsAsync(new DeleteObjectsRequest { BucketName = bucket, Objects = rest });
    var left = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket, Prefix = prefix });
    Expect((left.S3Objects?.Count ?? 0) == 0, $"{left.S3Objects?.Count} objects left");
    return $"{all.Count} objects (one DeleteObject, one DeleteObjects)";
});

Console.WriteLine($"conditional put (If-None-Match: *): {conditionalPut}");
Console.WriteLine($"conditional multipart complete (If-None-Match: *): {conditionalComplete}");
Console.WriteLine(failures == 0 ? "S3Smoke: all checks passed" : $"S3Smoke: {failures} check(s) failed");
return failures == 0 ? 0 : 1;

static void Expect(bool condition, string message)
{
    if (!condition)
        throw new InvalidOperationException(message);
}

static async Task<byte[]> ReadAll(GetObjectResponse response)
{
    using (response)
    {
        using var buffer = new MemoryStream();
        await response.ResponseStream.CopyToAsync(buffer);
        return buffer.ToArray();
    }
}

static Dictionary<string, string> ParseArgs(string[] args)
{
    var result = new Dictionary<string, string>();
    for (var i = 0; i < args.Length; i++)
    {
        if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            throw new ArgumentException($"usage: S3Smoke [--state DIR] [--endpoint URL] [--bucket NAME] [--credentials FILE] (at '{args[i]}')");
        result[args[i][2..]] = args[++i];
    }
    return result;
}

// KEY=VALUE or "key = value" lines; [sections] and # comments are skipped (the credentials file has one profile).
static Dictionary<string, string> ReadKeyValues(string path, char separator)
{
    var result = new Dictionary<string, string>();
    if (!File.Exists(path))
        return result;
    foreach (var line in File.ReadLines(path))
    {
        var t = line.Trim();
        var at = t.IndexOf(separator);
        if (t.Length == 0 || t[0] is '#' or '[' || at <= 0)
            continue;
        result[t[..at].Trim()] = t[(at + 1)..].Trim();
    }
    return result;
}
