using System.Diagnostics;
using System.Security.Cryptography;
using PSSocketFtp.Client;
using PSSocketFtp.Server;

namespace PSSocketFtp.S3.Tests;

/// <summary>
/// Issue #14 with TLS end to end: the three servers have one certificate, HAProxy stays in TCP mode (it does not
/// terminate TLS), and every session pins the servers' certificate by its thumbprint, so a session works only if the
/// certificate it sees is the servers' own, passed through HAProxy untouched.
/// </summary>
[Collection(CephCollection.Name)]
public sealed class ScaleOutTlsTests(CephFixture ceph, ScaleOutTlsCluster cluster, ITestOutputHelper output) : IClassFixture<ScaleOutTlsCluster>
{
    private const int PartSize = S3Upload.PartSize;

    [SkippableFact]
    public async Task UploadAndDownload_TlsThroughHaproxy_OnEveryServerByteExact()
    {
        await cluster.StartAsync(ceph);
        var watch = Stopwatch.StartNew();
        const int Sessions = ScaleOutCluster.Count;
        // Per session a small file (one put) and one past a part (multipart).
        var bodies = Enumerable.Range(0, Sessions).Select(s => new[] { RandomNumberGenerator.GetBytes(70_000 + s), RandomNumberGenerator.GetBytes(PartSize + 1000 + s) }).ToArray();
        var before = await cluster.StatsAsync();
        var sessions = new List<FtpSession>();
        try
        {
            // One after another, so leastconn gives each server one.
            for (int s = 0; s < Sessions; s++)
            {
                sessions.Add(await FtpSession.ConnectAsync(cluster.ThroughFront()));
            }
            var open = await cluster.StatsAsync();
            Assert.All(open, server => Assert.Equal(1, server.Current));
            Assert.Equal(Sessions, open.Sum(o => o.Total) - before.Sum(b => b.Total));

            await sessions[0].CreateFolderAsync("/tls", existingOk: true);
            await Task.WhenAll(sessions.Select(async (session, s) =>
            {
                for (int f = 0; f < bodies[s].Length; f++)
                {
                    var result = await session.UploadAsync(new MemoryStream(bodies[s][f]), $"s{s}-f{f}.bin", "/tls/");
                    Assert.Equal($"/tls/s{s}-f{f}.bin", result.RemotePath);
                }
            }));
            // Each session reads what the next one wrote, through another server.
            await Task.WhenAll(sessions.Select(async (session, s) =>
            {
                int other = (s + 1) % Sessions;
                for (int f = 0; f < bodies[other].Length; f++)
                {
                    using var back = new MemoryStream();
                    await session.DownloadAsync($"/tls/s{other}-f{f}.bin", back);
                    Assert.True(bodies[other][f].AsSpan().SequenceEqual(back.ToArray()), $"/tls/s{other}-f{f}.bin came back different");
                }
            }));
            output.WriteLine($"{Sessions} TLS sessions, one per server, uploaded and read back {bodies.Sum(b => b.Sum(f => (long)f.Length)) >> 20} MiB in {watch.Elapsed.TotalSeconds:0.0} s");
        }
        finally
        {
            foreach (var session in sessions)
            {
                session.Dispose();
            }
        }
    }

    [SkippableFact]
    public async Task Connect_PlainOrOtherCertificateThroughTlsFront_Refused()
    {
        await cluster.StartAsync(ceph);
        // Without TLS the server closes the connection; pinned to another certificate the client refuses the server's.
        var plain = cluster.ThroughFront();
        plain.UseTls = false;
        plain.RetryCount = 0;
        var closed = await Assert.ThrowsAnyAsync<Exception>(() => FtpSession.ConnectAsync(plain));
        output.WriteLine($"plain: {closed.GetType().Name}: {closed.Message}");
        var other = cluster.ThroughFront();
        other.CertificateThumbprint = new string('0', 64);
        other.RetryCount = 0;
        var refused = await Assert.ThrowsAsync<FtpTlsException>(() => FtpSession.ConnectAsync(other));
        Assert.True(refused.CertificateRejected, refused.Message);
        output.WriteLine($"other thumbprint: {refused.Message}");
    }

    [SkippableFact]
    public async Task UploadFileAsync_TlsServerKilledMidBody_RetryResumesOnAnotherServerThroughHaproxy()
    {
        await cluster.StartAsync(ceph);
        await ScaleOutScenarios.ServerKilledMidBodyResumesOnAnotherAsync(cluster, "/tls-kill", output);
    }
}
