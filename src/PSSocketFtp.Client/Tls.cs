using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PSSocketFtp.Client;

/// <summary>Wraps a connection in TLS and decides whether to trust the server's certificate.</summary>
internal static class Tls
{
    /// <summary>Performs the TLS handshake; a failure becomes <see cref="FtpTlsException"/>, which is not retried.</summary>
    public static async Task<SslStream> AuthenticateAsync(Stream stream, FtpSessionOptions options, string peer)
    {
        string? rejection = null;
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false, (_, certificate, _, errors) =>
        {
            rejection = Check(options, certificate, errors);
            return rejection is null;
        });
        try
        {
            // SslProtocols.None lets the system choose (TLS 1.2 or 1.3 today); no revocation check, as the server may be offline-only.
            await ssl.AuthenticateAsClientAsync(options.ComputerName, null, SslProtocols.None, checkCertificateRevocation: false).ConfigureAwait(false);
            return ssl;
        }
        catch (Exception e) when (e is AuthenticationException or IOException)
        {
            ssl.Dispose();
            throw rejection is not null
                ? new FtpTlsException($"The certificate of {peer} is not trusted: {rejection}", e) { CertificateRejected = true }
                : new FtpTlsException($"TLS with {peer} failed (does the server have a certificate configured?): {e.Message}", e);
        }
    }

    /// <summary>Why the certificate is refused; null to accept it.</summary>
    private static string? Check(FtpSessionOptions options, X509Certificate? certificate, SslPolicyErrors errors)
    {
        if (options.SkipCertificateCheck)
        {
            return null;
        }
        if (certificate is null)
        {
            return "the server sent no certificate.";
        }
        if (options.CertificateThumbprint is { } expected)
        {
            string wanted = NormalizeThumbprint(expected);
            byte[] raw = certificate.GetRawCertData();
            byte[] hash;
            using (HashAlgorithm algorithm = wanted.Length == 64 ? SHA256.Create() : SHA1.Create())
            {
                hash = algorithm.ComputeHash(raw);
            }
            string actual = BitConverter.ToString(hash).Replace("-", string.Empty);
            return string.Equals(actual, wanted, StringComparison.Ordinal)
                ? null
                : $"its thumbprint {actual} is not the expected {wanted}.";
        }
        return errors == SslPolicyErrors.None
            ? null
            : $"{errors} (subject '{certificate.Subject}'). Trust it with CertificateThumbprint, or skip the check with SkipCertificateCheck.";
    }

    /// <summary>A thumbprint as upper-case hex without separators.</summary>
    public static string NormalizeThumbprint(string thumbprint) =>
        new string(thumbprint.Where(c => !char.IsWhiteSpace(c) && c != ':' && c != '\u200e' && c != '\u200f').ToArray()).ToUpperInvariant();
}
