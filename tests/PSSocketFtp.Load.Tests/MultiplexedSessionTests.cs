using System.Diagnostics;
using System.IO.Hashing;
using PSSocketFtp.Client;
using PSSocketFtp.Protocol;
using Xunit.Abstractions;

namespace PSSocketFtp.Load.Tests;

/// <summary>One session, many operations at once (protocol version 3): they share one connection and all come out right.</summary>
public sealed class MultiplexedSessionTests(ServerFixture server, ITestOutputHelper output) : IClassFixture<ServerFixture>
{
    private const int Files = 300;
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    private FtpSessionOptions Options => new()
    {
        ComputerName = "127.0.0.1",
        Port = server.Port,
        ConnectTimeout = TimeSpan.FromSeconds(30),
        NoProgressTimeout = TimeSpan.FromSeconds(30),
    };

    [Fact]
    public async Task UploadAsync_ManyAtOnceOnOneSession_AllStoredByteExact()
    {
        string folder = "/multi-up-" + Guid.NewGuid().ToString("N")[..8];
        var contents = Enumerable.Range(0, Files).Select(i => Content(i, i % 10 == 0 ? 300_000 : 4096)).ToArray();
        using var session = await FtpSession.ConnectAsync(Options);
        var clock = Stopwatch.StartNew();

        var results = await Task.WhenAll(contents.Select((content, i) =>
            session.UploadAsync(new MemoryStream(content), $"f{i}.bin", folder + "/", ConflictMode.Fail))).WaitAsync(Deadline);

        clock.Stop();
        output.WriteLine($"{Files} uploads at once on one session in {clock.ElapsedMilliseconds} ms");
        Assert.Equal(ProtocolConstants.MultiplexVersion, session.ProtocolVersion);
        for (int i = 0; i < Files; i++)
        {
            Assert.Equal($"{folder}/f{i}.bin", results[i].RemotePath);
            Assert.Equal(Hex(contents[i]), results[i].Hash);
            Assert.Equal(contents[i], await File.ReadAllBytesAsync(Path.Join(server.Root, folder, $"f{i}.bin")));
        }
    }

    [Fact]
    public async Task DownloadAsync_ManyAtOnceOnOneSession_EachByteExact()
    {
        string folder = "multi-down-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(Path.Join(server.Root, folder));
        var contents = Enumerable.Range(0, Files).Select(i => Content(i, i % 25 == 0 ? 3_000_000 : 5003)).ToArray();
        for (int i = 0; i < Files; i++)
        {
            await File.WriteAllBytesAsync(Path.Join(server.Root, folder, $"f{i}.bin"), contents[i]);
        }
        using var session = await FtpSession.ConnectAsync(Options);
        var sinks = contents.Select(_ => new MemoryStream()).ToArray();

        var results = await Task.WhenAll(sinks.Select((sink, i) => session.DownloadAsync($"/{folder}/f{i}.bin", sink))).WaitAsync(Deadline);

        for (int i = 0; i < Files; i++)
        {
            Assert.Equal(contents[i], sinks[i].ToArray());
            Assert.Equal(Hex(contents[i]), results[i].Hash);
        }
    }

    [Fact]
    public async Task Operations_MixedAtOnceOnOneSession_EachAnswersItsOwnRequest()
    {
        string folder = "multi-mixed-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(Path.Join(server.Root, folder));
        var big = Content(1, 8_000_000);
        await File.WriteAllBytesAsync(Path.Join(server.Root, folder, "big.bin"), big);
        for (int i = 0; i < 50; i++)
        {
            await File.WriteAllTextAsync(Path.Join(server.Root, folder, $"s{i}.txt"), new string('x', i));
        }
        using var session = await FtpSession.ConnectAsync(Options);
        var sink = new MemoryStream();

        var download = session.DownloadAsync($"/{folder}/big.bin", sink);
        var stats = Enumerable.Range(0, 50).Select(i => session.GetItemAsync($"/{folder}/s{i}.txt")).ToArray();
        var listing = session.ListAsync("/" + folder);
        var removes = Enumerable.Range(40, 10).Select(i => session.RemoveAsync($"/{folder}/s{i}.txt")).ToArray();
        await Task.WhenAll([download, listing, .. stats, .. removes]).WaitAsync(Deadline);

        Assert.Equal(big, sink.ToArray());
        for (int i = 0; i < 50; i++)
        {
            var item = await stats[i];
            Assert.Equal($"s{i}.txt", item.Name);
            Assert.Equal(i, item.Length);
        }
        Assert.Contains(await listing, item => item.Name == "big.bin");
        Assert.False(File.Exists(Path.Join(server.Root, folder, "s45.txt")));
    }

    [Fact]
    public async Task UploadFileAsync_SameFileTwiceAtOnce_StoredAsNameAndName1()
    {
        string folder = "/multi-same-" + Guid.NewGuid().ToString("N")[..8] + "/";
        string local = Path.Join(Path.GetTempPath(), "psftp-same-" + Guid.NewGuid().ToString("N") + ".bin");
        var content = Content(3, 700_000);
        await File.WriteAllBytesAsync(local, content);
        try
        {
            using var session = await FtpSession.ConnectAsync(Options);

            var results = await Task.WhenAll(session.UploadFileAsync(local, folder), session.UploadFileAsync(local, folder)).WaitAsync(Deadline);

            string name = Path.GetFileNameWithoutExtension(local);
            Assert.Equal([$"{folder}{name}.bin", $"{folder}{name}_1.bin"], results.Select(r => r.RemotePath).Order(StringComparer.Ordinal));
            Assert.All(results, r => Assert.Equal(Hex(content), r.Hash));
        }
        finally
        {
            File.Delete(local);
        }
    }

    [Fact]
    public async Task DownloadFileAsync_SameLocalFileTwiceAtOnce_OneDownloadsTheOtherFindsItThere()
    {
        string folder = "multi-same-down-" + Guid.NewGuid().ToString("N")[..8];
        Directory.CreateDirectory(Path.Join(server.Root, folder));
        var content = Content(4, 900_000);
        await File.WriteAllBytesAsync(Path.Join(server.Root, folder, "f.bin"), content);
        string local = Path.Join(Path.GetTempPath(), "psftp-same-down-" + Guid.NewGuid().ToString("N") + ".bin");
        try
        {
            using var session = await FtpSession.ConnectAsync(Options);

            var both = new[] { session.DownloadFileAsync($"/{folder}/f.bin", local), session.DownloadFileAsync($"/{folder}/f.bin", local) };
            await Task.WhenAny(Task.WhenAll(both), Task.Delay(Deadline));

            Assert.Equal(1, both.Count(t => t.IsCompletedSuccessfully));
            Assert.IsType<IOException>(both.Single(t => t.IsFaulted).Exception!.InnerException);
            Assert.Equal(content, await File.ReadAllBytesAsync(local));
        }
        finally
        {
            File.Delete(local);
        }
    }

    private static byte[] Content(int seed, int length)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static string Hex(byte[] bytes) => Convert.ToHexString(XxHash128.Hash(bytes));
}
