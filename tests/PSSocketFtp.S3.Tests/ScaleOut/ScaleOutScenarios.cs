using System.Collections.Concurrent;
using System.Diagnostics;
using System.Security.Cryptography;
using PSSocketFtp.Client;
using PSSocketFtp.Server;
using PSSocketFtp.TestSupport;

namespace PSSocketFtp.S3.Tests;

/// <summary>Scenarios that the plain and the TLS cluster both run, so each is written once.</summary>
internal static class ScaleOutScenarios
{
    private const int PartSize = S3Upload.PartSize;

    /// <summary>
    /// A 40 MiB upload through the front, held by the client once 3 parts and a bit are sent; the server holding the
    /// session is killed (SIGKILL) as soon as S3 holds two of its parts. The client's retry (default settings) must
    /// reconnect through the front to another server and resume from what S3 holds, under its own name; the killed
    /// server comes back with an empty root, and all three return the file byte-exact.
    /// </summary>
    public static async Task ServerKilledMidBodyResumesOnAnotherAsync(ScaleOutCluster cluster, string folder, ITestOutputHelper output)
    {
        string local = Path.Join(Path.GetTempPath(), "psftp-scaleout-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(local);
        try
        {
            var body = RandomNumberGenerator.GetBytes(40 << 20);
            string file = Path.Join(local, "large.bin");
            await File.WriteAllBytesAsync(file, body);
            var retries = new ConcurrentQueue<FtpRetryEventArgs>();
            // The session's default retry settings: what a user gets.
            using var session = await FtpSession.ConnectAsync(cluster.ThroughFront(), (_, e) => retries.Enqueue(e));
            await session.CreateFolderAsync(folder, existingOk: true);
            int victim = (await cluster.StatsAsync()).ToList().FindIndex(s => s.Current == 1);
            Assert.True(victim >= 0, "HAProxy shows no server with the session");

            // Held on the client's sending thread once 3 parts and a bit are sent, so the kill lands mid-body.
            var hold = new HoldPoint(3L * PartSize + (1 << 20));
            var upload = Task.Run(() => session.UploadFileAsync(file, folder + "/", progress: hold));
            await hold.WaitReachedAsync();
            long held = 0;
            await ScaleOutCluster.WaitUntilAsync(async () => (held = (await cluster.PartsHeldAsync()).Sum()) >= 2L * PartSize, "two parts of the upload stored in S3");
            var watch = Stopwatch.StartNew();
            cluster.Server(victim).Kill();
            hold.Release();
            var result = await upload.WaitAsync(TimeSpan.FromSeconds(90));
            output.WriteLine($"killed s{victim + 1} with {held >> 20} MiB in whole parts; done {watch.Elapsed.TotalSeconds:0.0} s later, resumed from {result.ResumedFrom >> 20} MiB, {result.Attempts} attempts");
            WriteRetries(output, retries);

            Assert.Equal($"{folder}/large.bin", result.RemotePath);
            Assert.False(result.Renamed);
            Assert.True(result.ResumedFrom >= PartSize, $"the upload resumed from {result.ResumedFrom}, not from the {held} bytes stored before the kill");
            var now = await cluster.StatsAsync();
            Assert.Equal(1, now.Where((s, i) => i != victim).Sum(s => s.Current));

            // The killed server comes back with an empty root; every server reads the file byte-exact.
            await cluster.RestartAsync(victim);
            for (int i = 0; i < ScaleOutCluster.Count; i++)
            {
                using var direct = await FtpSession.ConnectAsync(cluster.Direct(i));
                using var back = new MemoryStream();
                await direct.DownloadAsync(result.RemotePath, back);
                Assert.True(body.AsSpan().SequenceEqual(back.ToArray()), $"server s{i + 1} returned other bytes");
            }
        }
        finally
        {
            Directory.Delete(local, recursive: true);
        }
    }

    /// <summary>Writes the client's retries (after which try, how long, why) to the test's output.</summary>
    public static void WriteRetries(ITestOutputHelper output, IEnumerable<FtpRetryEventArgs> retries)
    {
        foreach (var retry in retries)
        {
            output.WriteLine($"  retry after try {retry.FailedTry}: {retry.Delay.TotalMilliseconds:0} ms, {retry.Reason.GetType().Name}: {retry.Reason.Message}");
        }
    }
}
