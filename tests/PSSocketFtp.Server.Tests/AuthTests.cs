using System.Net;
using System.Net.Sockets;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server.Tests;

/// <summary>Users, AUTH, the anonymous-bind rule and the TLS listener.</summary>
public sealed class AuthTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("psftp-auth-").FullName;

    private string UsersFile => Path.Join(_folder, "users.txt");

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Auth_RightPassword_AnswersOkAndServesRequests()
    {
        UserStore.AddOrReplace(UsersFile, "alice", "s3cret");
        await using var server = await TestServer.StartAsync("--users", UsersFile);
        using var client = await server.ConnectAsync();

        var answer = await client.AuthAsync("alice", "s3cret");
        var list = await client.RequestAsync(new ListRequest("/"));

        Assert.Equal(FrameType.Ok, answer.Type);
        Assert.NotEqual(FrameType.Error, list.Type);
        await server.Log.WaitForAsync(m => m.Contains("logged in as alice"));
    }

    [Fact]
    public async Task Auth_WrongPasswordOrUnknownUser_AnswersTheSameUnauthorized()
    {
        UserStore.AddOrReplace(UsersFile, "alice", "s3cret");
        await using var server = await TestServer.StartAsync("--users", UsersFile);
        using var first = await server.ConnectAsync();
        using var second = await server.ConnectAsync();

        var wrong = await first.AuthAsync("alice", "nope");
        var unknown = await second.AuthAsync("mallory", "s3cret");

        Assert.Equal(FtpStatus.Unauthorized, wrong.Status);
        Assert.Equal(FtpStatus.Unauthorized, unknown.Status);
        Assert.Equal(wrong.Fields.TryGetString(FieldTag.Message), unknown.Fields.TryGetString(FieldTag.Message));
    }

    [Fact]
    public async Task Auth_UserNameWithLineBreak_IsLoggedOnOneLine()
    {
        UserStore.AddOrReplace(UsersFile, "alice", "s3cret");
        await using var server = await TestServer.StartAsync("--users", UsersFile);
        using var client = await server.ConnectAsync();

        await client.AuthAsync("eve\ninfo: forged", "x");

        await server.Log.WaitForAsync(m => m.Contains("failed to log in as eve\\ninfo: forged"));
    }

    [Fact]
    public async Task List_BeforeAuth_AnswersUnauthorizedAndConnectionStaysUsable()
    {
        UserStore.AddOrReplace(UsersFile, "alice", "s3cret");
        await using var server = await TestServer.StartAsync("--users", UsersFile);
        using var client = await server.ConnectAsync();

        var refused = await client.RequestAsync(new ListRequest("/"));
        var ping = await client.RequestAsync(EmptyMessage.Ping);
        var login = await client.AuthAsync("alice", "s3cret");
        var list = await client.RequestAsync(new ListRequest("/"));

        Assert.Equal(FtpStatus.Unauthorized, refused.Status);
        Assert.Equal(FtpStatus.Unauthorized, ping.Status);
        Assert.Equal(FrameType.Ok, login.Type);
        Assert.NotEqual(FrameType.Error, list.Type);
    }

    [Fact]
    public async Task List_NoUsersConfigured_ServesAnonymously()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();

        var list = await client.RequestAsync(new ListRequest("/"));

        Assert.NotEqual(FrameType.Error, list.Type);
        await server.Log.WaitForAsync(m => m.Contains("anonymous access, on loopback only"));
    }

    [Fact]
    public async Task StartAsync_NonLoopbackBindWithoutUsers_ThrowsArgumentException()
    {
        // Refused before anything binds, so the test never listens beyond loopback.
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => FtpServerHost.StartAsync(["--root", Path.Join(_folder, "root"), "--port", "0", "--bind", "0.0.0.0"]));

        Assert.Contains("--allow-anonymous", ex.Message);
    }

    [Fact]
    public async Task StartAsync_EmptyUsersFile_ThrowsArgumentException()
    {
        await File.WriteAllTextAsync(UsersFile, "# nobody\n");

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => TestServer.StartAsync("--users", UsersFile));

        Assert.Contains("names no users", ex.Message);
    }

    [Fact]
    public async Task StartAsync_WeakUsersEntry_ThrowsArgumentException()
    {
        await File.WriteAllTextAsync(UsersFile, $"bob:pbkdf2-sha256:1000:{Convert.ToBase64String(new byte[16])}:{Convert.ToBase64String(new byte[32])}\n");

        await Assert.ThrowsAsync<ArgumentException>(() => TestServer.StartAsync("--users", UsersFile));
    }

    [Fact]
    public void ExpandFlags_AllowAnonymousWithoutValue_GetsTrue()
    {
        Assert.Equal(["--allow-anonymous=true", "--port", "0"], ServerSecurity.ExpandFlags(["--allow-anonymous", "--port", "0"]));
        Assert.Equal(["--allow-anonymous", "false"], ServerSecurity.ExpandFlags(["--allow-anonymous", "false"]));
    }

    [Fact]
    public void ExpandFlags_ParentProcessFlagsWithoutValue_GetTrue()
    {
        Assert.Equal(["--stop-on-input-end=true", "--print-port=true"], ServerSecurity.ExpandFlags(["--stop-on-input-end", "--print-port"]));
    }

    [Fact]
    public void AddOrReplace_NewPassword_ReplacesTheEntryAndStoresNoPassword()
    {
        UserStore.AddOrReplace(UsersFile, "alice", "first");
        UserStore.AddOrReplace(UsersFile, "alice", "second");

        var users = UserStore.Load(UsersFile);
        string text = File.ReadAllText(UsersFile);

        Assert.Equal(1, users.Count);
        Assert.True(users.Verify("alice", "second"));
        Assert.False(users.Verify("alice", "first"));
        Assert.DoesNotContain("second", text);
        Assert.Contains($":pbkdf2-sha256:{UserStore.DefaultIterations}:", text);
        Assert.True(UserStore.DefaultIterations >= 100_000);
    }

    [Fact]
    public void Run_PasswordOnStandardInput_AddsTheUser()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        int exit = AddUserCommand.Run(["bob", "--users", UsersFile], new StringReader("hunter2\n"), output, error);

        Assert.True(exit == 0, error.ToString());
        Assert.True(UserStore.Load(UsersFile).Verify("bob", "hunter2"));
    }

    [Fact]
    public void Run_NoUsersFile_PrintsUsage()
    {
        var error = new StringWriter();

        int exit = AddUserCommand.Run(["bob"], new StringReader("x\n"), TextWriter.Null, error);

        Assert.Equal(2, exit);
        Assert.Contains("Usage", error.ToString());
    }

    [Fact]
    public async Task Handshake_TlsServer_WorksThroughSslStream()
    {
        string pfx = WriteCertificate(out var thumbprint);
        await using var server = await TestServer.StartAsync("--certificate", pfx, "--certificate-password", "pw");
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.EndPoint);

        var (tls, seen) = await TestCertificate.HandshakeAsync(tcp.GetStream());
        await using var _ = tls;

        Assert.Equal(thumbprint, seen);
        await server.Log.WaitForAsync(m => m.Contains("TLS on"));
    }

    [Fact]
    public async Task Handshake_PlainClientToTlsServer_EndsWithoutHanging()
    {
        string pfx = WriteCertificate(out _);
        await using var server = await TestServer.StartAsync("--certificate", pfx, "--certificate-password", "pw");

        // The hello is no TLS record: the server closes, and the read ends (RawClient's own timeout guards a hang).
        var ex = await Record.ExceptionAsync(() => server.ConnectAsync());

        Assert.True(ex is EndOfStreamException or IOException, $"Got {ex}");
    }

    [Fact]
    public async Task StartAsync_CertificateWrongPassword_ThrowsArgumentException()
    {
        string pfx = WriteCertificate(out _);

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => TestServer.StartAsync("--certificate", pfx, "--certificate-password", "wrong"));

        Assert.Contains("certificate", ex.Message);
    }

    private string WriteCertificate(out string thumbprint) => TestCertificate.Write(_folder, out thumbprint);
}
