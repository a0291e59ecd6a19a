using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

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
}
