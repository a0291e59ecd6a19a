using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;
using PSSocketFtp.Client.Tests.Support;

namespace PSSocketFtp.Client.Tests;

/// <summary>Logging in with AUTH and protecting the connection with TLS.</summary>
public class FtpSessionSecurityTests
{
    private readonly TestClock _clock = new();

    [Fact]
    public async Task ConnectAsync_WithCredential_SendsAuthFirst()
    {
        await using var server = FakeServer.Start(AcceptLogin("alice", "s3cret"));
        var options = server.Options(_clock);
        options.UserName = "alice";
        options.Password = "s3cret";

        using var session = await FtpSession.ConnectAsync(options).Soon();

        var first = server.Requests[0];
        Assert.Equal(FrameType.Auth, first.Type);
        Assert.Equal("alice", first.Fields.TryGetString(FieldTag.UserName));
        Assert.Equal("s3cret", first.Fields.TryGetString(FieldTag.Password));
        Assert.Equal(FrameType.Ping, server.Requests[1].Type);
        Assert.Equal("alice", session.UserName);
    }

    [Fact]
    public async Task ConnectAsync_WithoutCredential_SendsNoAuth()
    {
        await using var server = FakeServer.Start();

        using var session = await FtpSession.ConnectAsync(server.Options(_clock)).Soon();

        Assert.Equal(0, server.CountRequests(FrameType.Auth));
    }

    [Fact]
    public async Task ConnectAsync_WrongPassword_ThrowsUnauthorizedWithoutRetrying()
    {
        await using var server = FakeServer.Start(AcceptLogin("alice", "s3cret"));
        var options = server.Options(_clock, retryCount: 5);
        options.UserName = "alice";
        options.Password = "wrong";

        var ex = await Assert.ThrowsAsync<FtpException>(() => FtpSession.ConnectAsync(options).Soon());

        Assert.Equal(FtpStatus.Unauthorized, ex.Status);
        Assert.Equal(1, server.ConnectionCount);
        Assert.Equal(1, server.CountRequests(FrameType.Auth));
    }

    [Fact]
    public async Task PingAsync_AfterReconnect_LogsInAgain()
    {
        await using var server = FakeServer.Start(AcceptLogin("alice", "s3cret"));
        var options = server.Options(_clock);
        options.UserName = "alice";
        options.Password = "s3cret";
        using var session = await FtpSession.ConnectAsync(options).Soon();
        _clock.Advance(options.IdleTimeout + TimeSpan.FromSeconds(1));

        await session.PingAsync().Soon();

        Assert.Equal(2, server.ConnectionCount);
        Assert.Equal(2, server.CountRequests(FrameType.Auth));
    }

    [Fact]
    public async Task ConnectAsync_PasswordWithoutUserName_ThrowsArgumentException()
    {
        var options = new FtpSessionOptions { Password = "x" };

        await Assert.ThrowsAsync<ArgumentException>(() => FtpSession.ConnectAsync(options));
    }

    [Fact]
    public async Task ConnectAsync_TlsWithPinnedThumbprint_Connects()
    {
        await using var server = FakeServer.Start();
        server.Certificate = TestCertificate.Instance;
        var options = server.Options(_clock);
        options.UseTls = true;
        options.CertificateThumbprint = TestCertificate.Instance.Thumbprint.ToLowerInvariant();

        using var session = await FtpSession.ConnectAsync(options).Soon();

        Assert.True(session.UseTls);
        Assert.Equal("FakeServer/1.0", session.ServerSoftware);
    }

    [Fact]
    public async Task ConnectAsync_TlsWithSha256Thumbprint_Connects()
    {
        await using var server = FakeServer.Start();
        server.Certificate = TestCertificate.Instance;
        var options = server.Options(_clock);
        options.UseTls = true;
        options.CertificateThumbprint = TestCertificate.Instance.GetCertHashString(System.Security.Cryptography.HashAlgorithmName.SHA256);

        using var session = await FtpSession.ConnectAsync(options).Soon();

        Assert.True(session.IsConnected);
    }

    [Fact]
    public async Task ConnectAsync_TlsWithUntrustedCertificate_ThrowsCertificateRejectedWithoutRetrying()
    {
        await using var server = FakeServer.Start();
        server.Certificate = TestCertificate.Instance;
        var options = server.Options(_clock, retryCount: 5);
        options.UseTls = true;

        var ex = await Assert.ThrowsAsync<FtpTlsException>(() => FtpSession.ConnectAsync(options).Soon());

        Assert.True(ex.CertificateRejected);
        Assert.Contains("not trusted", ex.Message);
        Assert.Equal(1, server.ConnectionCount);
    }

    [Fact]
    public async Task ConnectAsync_TlsWithOtherThumbprint_ThrowsCertificateRejected()
    {
        await using var server = FakeServer.Start();
        server.Certificate = TestCertificate.Instance;
        var options = server.Options(_clock);
        options.UseTls = true;
        options.CertificateThumbprint = new string('A', 40);

        var ex = await Assert.ThrowsAsync<FtpTlsException>(() => FtpSession.ConnectAsync(options).Soon());

        Assert.True(ex.CertificateRejected);
    }

    [Fact]
    public async Task ConnectAsync_TlsWithSkipCertificateCheck_Connects()
    {
        await using var server = FakeServer.Start();
        server.Certificate = TestCertificate.Instance;
        var options = server.Options(_clock);
        options.UseTls = true;
        options.SkipCertificateCheck = true;

        using var session = await FtpSession.ConnectAsync(options).Soon();

        Assert.True(session.IsConnected);
    }

    [Fact]
    public async Task ConnectAsync_TlsToPlainServer_ThrowsTlsFailure()
    {
        await using var server = FakeServer.Start();
        var options = server.Options(_clock, retryCount: 2);
        options.UseTls = true;
        options.SkipCertificateCheck = true;

        var ex = await Assert.ThrowsAsync<FtpTlsException>(() => FtpSession.ConnectAsync(options).Soon());

        Assert.False(ex.CertificateRejected);
        Assert.Equal(1, server.ConnectionCount);
    }

    /// <summary>A server with one user: AUTH answers OK or Unauthorized, other requests are answered as usual.</summary>
    private static Func<FakeConnection, Frame, Task> AcceptLogin(string user, string password) => async (c, request) =>
    {
        if (request.Type != FrameType.Auth)
        {
            await FakeServer.AnswerDefaultAsync(c, request);
        }
        else if (request.Fields.TryGetString(FieldTag.UserName) == user && request.Fields.TryGetString(FieldTag.Password) == password)
        {
            await c.ReplyAsync(request, EmptyMessage.Ok);
        }
        else
        {
            await c.ErrorAsync(request, FtpStatus.Unauthorized);
        }
    };
}
