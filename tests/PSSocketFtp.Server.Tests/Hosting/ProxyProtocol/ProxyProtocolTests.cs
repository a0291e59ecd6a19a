using System.Net;
using System.Net.Sockets;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server.Tests;

/// <summary>The listener with PROXY protocol on (--proxy-protocol), as behind HAProxy's send-proxy-v2: loopback is the trusted proxy.</summary>
public sealed class ProxyProtocolTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("psftp-proxy-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Connect_V2HeaderThenHandshake_ServedAsTheHeadersClient()
    {
        await using var server = await TestServer.StartAsync("--proxy-protocol");

        using var client = await RawClient.ConnectAsync(server.EndPoint, preamble: ProxyHeaders.V2Proxy("203.0.113.9", 50123));

        Assert.Equal(FrameType.Ok, (await client.RequestAsync(EmptyMessage.Ping)).Type);
        await server.Log.WaitForAsync(m => m.Contains("203.0.113.9:50123 connected"));
    }

    [Fact]
    public async Task Connect_V1HeaderThenHandshake_ServedAsTheHeadersClient()
    {
        await using var server = await TestServer.StartAsync("--proxy-protocol");

        using var client = await RawClient.ConnectAsync(server.EndPoint, preamble: ProxyHeaders.V1("PROXY TCP6 2001:db8::5 ::1 4000 7021\r\n"));

        Assert.Equal(FrameType.Ok, (await client.RequestAsync(EmptyMessage.Ping)).Type);
        await server.Log.WaitForAsync(m => m.Contains("[2001:db8::5]:4000 connected"));
    }

    [Fact]
    public async Task Connect_PerAddressLimit_CountsTheHeadersAddresses()
    {
        await using var server = await TestServer.StartAsync("--proxy-protocol", "--PSSocketFtp:MaxConnectionsPerAddress", "1");
        // All three come from 127.0.0.1; the headers make two clients of them. Ready (a request sent), so no newcomer takes their slots.
        using var first = await RawClient.ConnectAsync(server.EndPoint, preamble: ProxyHeaders.V2Proxy("203.0.113.1"));
        Assert.Equal(FrameType.Ok, (await first.RequestAsync(EmptyMessage.Ping)).Type);
        using var second = await RawClient.ConnectAsync(server.EndPoint, preamble: ProxyHeaders.V2Proxy("203.0.113.2"));
        Assert.Equal(FrameType.Ok, (await second.RequestAsync(EmptyMessage.Ping)).Type);
        using var third = await RawClient.ConnectAsync(server.EndPoint, handshake: false, preamble: ProxyHeaders.V2Proxy("203.0.113.1", 40001));

        Assert.Equal(FtpStatus.ServerBusy, await LimitsTests.HandshakeStatusAsync(third));
        await third.ExpectClosedAsync();
        await server.Log.WaitForAsync(m => m.Contains("203.0.113.1:40001 refused: too many connections"));
    }

    [Fact]
    public async Task Connect_NoHeader_ClosedWithoutAnswer()
    {
        await using var server = await TestServer.StartAsync("--proxy-protocol");
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.EndPoint);
        var hello = new byte[ProtocolConstants.HandshakeSize];
        Handshake.WriteHello(hello);
        await tcp.GetStream().WriteAsync(hello);

        Assert.Equal(0, await ReadToEndAsync(tcp.GetStream()));
        await server.Log.WaitForAsync(m => m.Contains("sent no valid PROXY protocol header (no PROXY protocol signature)"));
    }

    [Fact]
    public async Task Connect_UntrustedProxy_ClosedWithoutAnswer()
    {
        await using var server = await TestServer.StartAsync("--proxy-protocol", "--trusted-proxies", "192.0.2.1, 10.0.0.0/8");
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.EndPoint);
        await tcp.GetStream().WriteAsync(ProxyHeaders.V2Proxy("203.0.113.9"));

        Assert.Equal(0, await ReadToEndAsync(tcp.GetStream()));
        await server.Log.WaitForAsync(m => m.Contains("is not a trusted proxy"));
    }

    [Fact]
    public async Task Connect_V2Local_KeepsTheProxysAddressQuietly()
    {
        await using var server = await TestServer.StartAsync("--proxy-protocol");

        // A health check (check-send-proxy): the LOCAL header and nothing else, then the proxy closes.
        int checkPort;
        using (var check = new TcpClient())
        {
            await check.ConnectAsync(server.EndPoint);
            checkPort = ((IPEndPoint)check.Client.LocalEndPoint!).Port;
            await check.GetStream().WriteAsync(ProxyHeaders.V2Local());
        }
        using var client = await RawClient.ConnectAsync(server.EndPoint, preamble: ProxyHeaders.V2Local());

        Assert.Equal(FrameType.Ok, (await client.RequestAsync(EmptyMessage.Ping)).Type);
        await server.Log.WaitForAsync(m => m.Contains($"127.0.0.1:{client.LocalEndPoint.Port} connected"));
        // The check ends as a plain TCP check did before: the session sees no handshake, at Debug.
        await server.Log.WaitForAsync(m => m.Contains($"127.0.0.1:{checkPort} disconnected"));
        Assert.DoesNotContain(server.Log.Messages, m => m.Contains("PROXY protocol header"));
    }

    [Fact]
    public async Task Connect_HeaderNeverEnds_ClosedAfterHandshakeTimeout()
    {
        var time = new ObservedTimeProvider();
        await using var server = await TestServer.StartAsync(time, "--proxy-protocol", "--PSSocketFtp:HandshakeTimeout", "00:00:07");
        using var client = await RawClient.ConnectAsync(server.EndPoint, handshake: false, preamble: ProxyHeaders.Signature[..5]);

        await time.AdvanceOnceArmedAsync(TimeSpan.FromSeconds(7));

        await client.ExpectClosedAsync();
        await server.Log.WaitForAsync(m => m.Contains("sent no PROXY protocol header within 00:00:07"));
    }

    [Fact]
    public async Task Connect_TlsAfterHeader_ServedAsTheHeadersClient()
    {
        string pfx = TestCertificate.Write(_folder, out _);
        await using var server = await TestServer.StartAsync("--proxy-protocol", "--certificate", pfx, "--certificate-password", "pw");
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.EndPoint);
        using var cancel = new CancellationTokenSource(RawClient.Timeout);
        // HAProxy sends the header in clear, then passes the client's TLS through.
        await tcp.GetStream().WriteAsync(ProxyHeaders.V2Proxy("198.51.100.20", 61000), cancel.Token);

        await using var tls = (await TestCertificate.HandshakeAsync(tcp.GetStream())).Tls;

        await server.Log.WaitForAsync(m => m.Contains("198.51.100.20:61000 connected"));
    }

    [Fact]
    public async Task Connect_OptionOff_HeaderIsNotAHandshake()
    {
        await using var server = await TestServer.StartAsync();

        var ex = await Record.ExceptionAsync(() => RawClient.ConnectAsync(server.EndPoint, preamble: ProxyHeaders.V2Proxy("203.0.113.9")));

        Assert.NotNull(ex);
        await server.Log.WaitForAsync(m => m.Contains("is not a PSSocketFtp client"));
        Assert.DoesNotContain(server.Log.Messages, m => m.Contains("203.0.113.9"));
    }

    [Fact]
    public async Task StartAsync_TrustedProxiesWithoutProxyProtocol_ThrowsArgumentException()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => TestServer.StartAsync("--trusted-proxies", "10.0.0.1"));

        Assert.Contains("--proxy-protocol", ex.Message);
    }

    [Fact]
    public async Task StartAsync_TrustedProxyNotAnAddress_ThrowsArgumentException()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => TestServer.StartAsync("--proxy-protocol", "--trusted-proxies", "haproxy.local"));

        Assert.Contains("haproxy.local", ex.Message);
    }

    // How many bytes arrive before the server closes (a reset counts as a close).
    private static async Task<int> ReadToEndAsync(NetworkStream stream)
    {
        using var cancel = new CancellationTokenSource(RawClient.Timeout);
        var buffer = new byte[256];
        int total = 0;
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancel.Token)) > 0)
            {
                total += read;
            }
        }
        catch (IOException)
        {
        }
        return total;
    }
}
