using System.Management.Automation;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace PSSocketFtp.Module.Tests;

/// <summary>The real server with a users file and a self-signed certificate, in a process of its own.</summary>
public sealed class SecureServerFixture : ServerFixture
{
    private readonly string _secrets = Directory.CreateTempSubdirectory("psftp-module-secrets-").FullName;

    public const string User = "alice";
    public const string Password = "correct horse";

    /// <summary>The SHA-1 thumbprint of the server's certificate.</summary>
    public string Thumbprint { get; private set; } = "";

    protected override IEnumerable<string> ExtraArguments =>
        ["--users", Path.Join(_secrets, "users.txt"), "--certificate", Path.Join(_secrets, "server.pfx"), "--certificate-password", "pw"];

    public override async Task InitializeAsync()
    {
        // The users file format of docs/security.md, written here so the test does not depend on the server's code.
        byte[] salt = RandomNumberGenerator.GetBytes(16);
        byte[] hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(Password), salt, 100_000, HashAlgorithmName.SHA256, 32);
        await File.WriteAllTextAsync(Path.Join(_secrets, "users.txt"), $"{User}:pbkdf2-sha256:100000:{Convert.ToBase64String(salt)}:{Convert.ToBase64String(hash)}\n");
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        Thumbprint = certificate.Thumbprint;
        await File.WriteAllBytesAsync(Path.Join(_secrets, "server.pfx"), certificate.Export(X509ContentType.Pfx, "pw"));
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_secrets, recursive: true);
    }
}

/// <summary>Connect-FtpSocket with -Credential and TLS against a server that requires both.</summary>
public sealed class SecurityTests(SecureServerFixture server) : IClassFixture<SecureServerFixture>, IDisposable
{
    private const string Connect = "Connect-FtpSocket 127.0.0.1 -Port $args[0] -RetryCount 0 -TimeoutSec 20";
    private const string Credential = "$args[1]";
    private readonly ModuleShell _shell = new();

    public void Dispose() => _shell.Dispose();

    [Fact]
    public void ConnectFtpSocket_RightCredentialAndThumbprint_Connects()
    {
        var session = PSObject.AsPSObject(_shell.RunSingle<object>($"{Connect} -Credential {Credential} -CertificateThumbprint $args[2]",
            server.Port, Login(SecureServerFixture.Password), server.Thumbprint));

        Assert.Equal(SecureServerFixture.User, session.Properties["UserName"].Value);
        Assert.True((bool)session.Properties["UseTls"].Value);
        var (_, errors) = _shell.Run("Get-FtpItem");
        Assert.Empty(errors);
    }

    [Fact]
    public void ConnectFtpSocket_WrongPassword_ThrowsUnauthorized()
    {
        var error = _shell.RunFailing($"{Connect} -Credential {Credential} -SkipCertificateCheck", server.Port, Login("wrong"));

        Errors.AssertError(error, "Unauthorized", ErrorCategory.AuthenticationError);
    }

    [Fact]
    public void ConnectFtpSocket_NoCredential_ThrowsUnauthorized()
    {
        var error = _shell.RunFailing($"{Connect} -SkipCertificateCheck", server.Port);

        Errors.AssertError(error, "Unauthorized", ErrorCategory.AuthenticationError);
    }

    [Fact]
    public void ConnectFtpSocket_UntrustedCertificate_ThrowsCertificateNotTrusted()
    {
        var error = _shell.RunFailing($"{Connect} -Credential {Credential} -UseTls", server.Port, Login(SecureServerFixture.Password));

        Errors.AssertError(error, "CertificateNotTrusted", ErrorCategory.SecurityError);
    }

    [Fact]
    public void ConnectFtpSocket_PlainClientToTlsServer_ThrowsConnectFailed()
    {
        var error = _shell.RunFailing(Connect, server.Port);

        Errors.AssertError(error, "ConnectFailed", ErrorCategory.ConnectionError);
    }

    /// <summary>A credential for the test user (ConvertTo-SecureString is not in a hosted PowerShell's default modules).</summary>
    private static PSCredential Login(string password)
    {
        var secure = new System.Security.SecureString();
        foreach (char c in password)
        {
            secure.AppendChar(c);
        }
        return new PSCredential(SecureServerFixture.User, secure);
    }
}
