using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PSSocketFtp.Client.Tests.Support;

/// <summary>A self-signed certificate made for the tests: trusted by nobody unless its thumbprint is pinned.</summary>
internal static class TestCertificate
{
    private static readonly Lazy<X509Certificate2> Shared = new(() => Create("CN=psftp-test"));

    public static X509Certificate2 Instance => Shared.Value;

    public static X509Certificate2 Create(string subject)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        // Through PFX bytes, so that SslStream can use the private key on every platform.
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pfx), null);
    }
}
