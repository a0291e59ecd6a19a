using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server.Tests;

/// <summary>A self-signed server certificate for the TLS listener's tests.</summary>
internal static class TestCertificate
{
    /// <summary>Writes a PFX for CN=localhost, password "pw", into <paramref name="folder"/>; returns its path.</summary>
    public static string Write(string folder, out string thumbprint)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        thumbprint = certificate.Thumbprint;
        string path = Path.Join(folder, "server.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, "pw"));
        return path;
    }

    /// <summary>
    /// Opens TLS over <paramref name="transport"/> as a client that accepts any certificate, then does the protocol's
    /// handshake and checks the reply; returns the stream and the server certificate's thumbprint.
    /// </summary>
    public static async Task<(SslStream Tls, string? Thumbprint)> HandshakeAsync(Stream transport)
    {
        string? seen = null;
        var tls = new SslStream(transport, false, (_, certificate, _, _) =>
        {
            seen = certificate?.GetCertHashString();
            return true;
        });
        using var cancel = new CancellationTokenSource(RawClient.Timeout);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, cancel.Token);
        var hello = new byte[ProtocolConstants.HandshakeSize];
        Handshake.WriteHello(hello);
        await tls.WriteAsync(hello, cancel.Token);
        await tls.ReadExactlyAsync(hello, cancel.Token);
        Assert.Equal(ProtocolConstants.Version, Handshake.ReadReply(hello));
        return (tls, seen);
    }
}
