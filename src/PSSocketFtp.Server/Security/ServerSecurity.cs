using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace PSSocketFtp.Server;

/// <summary>The server's users and certificate: loaded and checked at start, before anything listens.</summary>
internal static class ServerSecurity
{
    /// <summary>The flag that allows anonymous access on an address other than loopback.</summary>
    public const string AllowAnonymousSwitch = "--allow-anonymous";

    /// <summary>The flag that makes the listener expect a PROXY protocol header on every connection.</summary>
    public const string ProxyProtocolSwitch = "--proxy-protocol";

    /// <summary>The switches of the security settings, for the host's command-line mappings.</summary>
    public static readonly IReadOnlyDictionary<string, string> SwitchMappings = new Dictionary<string, string>
    {
        ["--users"] = $"{FtpServerOptions.SectionName}:{nameof(FtpServerOptions.UsersFile)}",
        ["--certificate"] = $"{FtpServerOptions.SectionName}:{nameof(FtpServerOptions.Certificate)}",
        ["--certificate-password"] = $"{FtpServerOptions.SectionName}:{nameof(FtpServerOptions.CertificatePassword)}",
        [AllowAnonymousSwitch] = $"{FtpServerOptions.SectionName}:{nameof(FtpServerOptions.AllowAnonymous)}",
        [ProxyProtocolSwitch] = $"{FtpServerOptions.SectionName}:{nameof(FtpServerOptions.ProxyProtocol)}",
        // One entry, which may list several (comma-separated); a configuration file may give an array instead.
        ["--trusted-proxies"] = $"{FtpServerOptions.SectionName}:{nameof(FtpServerOptions.TrustedProxies)}:0",
    };

    /// <summary>The switches that may be given without a value, meaning true.</summary>
    private static readonly HashSet<string> Flags = new(StringComparer.OrdinalIgnoreCase)
    {
        AllowAnonymousSwitch, ProxyProtocolSwitch, FtpServerHost.StopOnInputEndSwitch, FtpServerHost.PrintPortSwitch,
    };

    /// <summary>Gives the value-less flags (<c>--allow-anonymous</c> and the like) the value the configuration's command line needs.</summary>
    public static string[] ExpandFlags(string[] args) =>
        args.Select((arg, i) => Flags.Contains(arg)
                && (i + 1 == args.Length || !bool.TryParse(args[i + 1], out _))
            ? arg + "=true"
            : arg).ToArray();

    /// <summary>Loads the users file and the certificate named by the options into them.</summary>
    /// <exception cref="ArgumentException">A file is missing or invalid, or anonymous access would reach beyond this machine.</exception>
    public static void Load(FtpServerOptions options, IPAddress address)
    {
        options.ProxyNetworks = ParseTrustedProxies(options);
        if (!string.IsNullOrWhiteSpace(options.UsersFile))
        {
            string path = Path.GetFullPath(options.UsersFile);
            try
            {
                options.Users = UserStore.Load(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                throw new ArgumentException($"Could not read the users file '{path}': {e.Message}", e);
            }
            if (options.Users.Count == 0)
            {
                throw new ArgumentException($"The users file '{path}' names no users. Add one with: add-user <name> --users {options.UsersFile}");
            }
        }
        else if (!IPAddress.IsLoopback(address) && !options.AllowAnonymous)
        {
            throw new ArgumentException(
                $"No users are configured, so anyone who reaches {address} could read, write and delete the served files. " +
                $"Configure users (--users <file>, add them with 'add-user <name> --users <file>'), bind to 127.0.0.1, or pass {AllowAnonymousSwitch} to serve anonymously on purpose.");
        }
        if (!string.IsNullOrWhiteSpace(options.Certificate))
        {
            string path = Path.GetFullPath(options.Certificate);
            try
            {
                options.ServerCertificate = X509CertificateLoader.LoadPkcs12FromFile(path, options.CertificatePassword);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
            {
                throw new ArgumentException($"Could not load the certificate '{path}': {e.Message}", e);
            }
            if (!options.ServerCertificate.HasPrivateKey)
            {
                throw new ArgumentException($"The certificate '{path}' has no private key; the server needs a PFX file that includes it.");
            }
        }
    }

    /// <summary>The networks PROXY headers are believed from: <see cref="FtpServerOptions.TrustedProxies"/>, or loopback.</summary>
    private static IReadOnlyList<IPNetwork> ParseTrustedProxies(FtpServerOptions options)
    {
        string[] entries = options.TrustedProxies
            .SelectMany(entry => entry.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToArray();
        if (!options.ProxyProtocol)
        {
            // A list that would do nothing is a mistake worth saying at start.
            return entries.Length == 0 ? [] : throw new ArgumentException($"TrustedProxies is set but PROXY protocol is off; pass {ProxyProtocolSwitch} too, or drop TrustedProxies.");
        }
        if (entries.Length == 0)
        {
            return [new IPNetwork(new IPAddress([127, 0, 0, 0]), 8), new IPNetwork(IPAddress.IPv6Loopback, 128)];
        }
        return entries.Select(entry =>
        {
            if (IPAddress.TryParse(entry, out var single))
            {
                single = single.IsIPv4MappedToIPv6 ? single.MapToIPv4() : single;
                return new IPNetwork(single, single.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            }
            return IPNetwork.TryParse(entry, out var network)
                ? network
                : throw new ArgumentException($"'{entry}' in TrustedProxies is neither an IP address nor a network such as 10.0.0.0/24.");
        }).ToArray();
    }

    /// <summary>
    /// Puts the PROXY protocol header's reader first when it is on, then TLS in front of the protocol when a certificate
    /// is configured: HAProxy sends the header in clear, before the client's TLS handshake that it passes through.
    /// </summary>
    public static void ConfigureListener(ListenOptions listen, FtpServerOptions options)
    {
        if (options.ProxyProtocol)
        {
            listen.Use(next => ProxyProtocolMiddleware.Create(next, listen.ApplicationServices, options));
        }
        if (options.ServerCertificate is { } certificate)
        {
            listen.UseHttps(new Microsoft.AspNetCore.Server.Kestrel.Https.HttpsConnectionAdapterOptions
            {
                ServerCertificate = certificate,
                SslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13,
                HandshakeTimeout = options.HandshakeTimeout,
            });
        }
    }

    /// <summary>Says in the log how the server lets clients in.</summary>
    public static void LogMode(ILogger logger, FtpServerOptions options, IPEndPoint endPoint)
    {
        if (options.Users is { } users)
        {
            logger.LogInformation("Login required: {Count} users from {UsersFile}", users.Count, Path.GetFullPath(options.UsersFile!));
        }
        else if (IPAddress.IsLoopback(endPoint.Address))
        {
            logger.LogWarning("No users configured: anonymous access, on loopback only ({EndPoint})", endPoint);
        }
        else
        {
            logger.LogWarning("No users configured: anonymous access on {EndPoint}, allowed by {Switch}", endPoint, AllowAnonymousSwitch);
        }
        if (options.ProxyProtocol)
        {
            logger.LogInformation("PROXY protocol on: client addresses come from the headers of trusted proxies {TrustedProxies}", string.Join(", ", options.ProxyNetworks));
        }
        if (options.ServerCertificate is { } certificate)
        {
            logger.LogInformation("TLS on: certificate {Subject}, thumbprint {Thumbprint}", certificate.Subject, certificate.Thumbprint);
        }
        else if (options.Users is not null)
        {
            logger.LogWarning("TLS off: passwords and files travel in clear; configure --certificate to protect them");
        }
    }
}
