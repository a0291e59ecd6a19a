using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace PSSocketFtp.Server;

/// <summary>Starts the server: a host whose Kestrel listens on one endpoint with the protocol's connection handler and serves no HTTP.</summary>
public static class FtpServerHost
{
    /// <summary>The flag that stops the server when its standard input ends: a parent process that holds it open, and dies or closes it, takes the server with it.</summary>
    public const string StopOnInputEndSwitch = "--stop-on-input-end";

    /// <summary>The flag that writes <see cref="PortLinePrefix"/> and the bound port as one line to standard output once the server listens.</summary>
    public const string PrintPortSwitch = "--print-port";

    /// <summary>What the machine-readable line of <see cref="PrintPortSwitch"/> starts with; the port follows it.</summary>
    public const string PortLinePrefix = "PSSOCKETFTP_PORT=";

    private static readonly Dictionary<string, string> SwitchMappings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["--root"] = $"{FtpServerOptions.SectionName}:{nameof(FtpServerOptions.Root)}",
        ["--port"] = $"{FtpServerOptions.SectionName}:{nameof(FtpServerOptions.Port)}",
        ["--bind"] = $"{FtpServerOptions.SectionName}:{nameof(FtpServerOptions.Bind)}",
        [StopOnInputEndSwitch] = $"{FtpServerOptions.SectionName}:{nameof(FtpServerOptions.StopOnInputEnd)}",
        [PrintPortSwitch] = $"{FtpServerOptions.SectionName}:{nameof(FtpServerOptions.PrintPort)}",
        // The S3 store (docs/scale-out.md). No switch takes a key: keys come from the environment or a credentials file.
        ["--s3-endpoint"] = $"{FtpServerOptions.SectionName}:{nameof(FtpServerOptions.S3)}:{nameof(S3StoreOptions.Endpoint)}",
        ["--s3-bucket"] = $"{FtpServerOptions.SectionName}:{nameof(FtpServerOptions.S3)}:{nameof(S3StoreOptions.Bucket)}",
        ["--s3-prefix"] = $"{FtpServerOptions.SectionName}:{nameof(FtpServerOptions.S3)}:{nameof(S3StoreOptions.Prefix)}",
        ["--s3-region"] = $"{FtpServerOptions.SectionName}:{nameof(FtpServerOptions.S3)}:{nameof(S3StoreOptions.Region)}",
        ["--s3-credentials"] = $"{FtpServerOptions.SectionName}:{nameof(FtpServerOptions.S3)}:{nameof(S3StoreOptions.CredentialsFile)}",
    }.Concat(ServerSecurity.SwitchMappings).ToDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>Starts a server and returns once it listens.</summary>
    /// <param name="args">Command-line arguments: <c>--root</c>, <c>--port</c> (0 for any free port), <c>--bind</c>, <c>--users</c>, <c>--certificate</c>, <c>--certificate-password</c>, <c>--allow-anonymous</c>, <c>--proxy-protocol</c>, <c>--trusted-proxies</c>, <c>--stop-on-input-end</c>, <c>--print-port</c>, <c>--s3-endpoint</c>, <c>--s3-bucket</c>, <c>--s3-prefix</c>, <c>--s3-region</c>, <c>--s3-credentials</c>, or any <c>--PSSocketFtp:Setting value</c>.</param>
    /// <param name="configureLogging">Adjusts logging after the defaults (one-line console messages).</param>
    /// <param name="cancellationToken">Abandons the start.</param>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public static Task<RunningFtpServer> StartAsync(string[] args, Action<ILoggingBuilder>? configureLogging = null, CancellationToken cancellationToken = default) =>
        StartAsync(args, configureLogging, configureServices: null, cancellationToken);

    /// <summary>Starts a server; <paramref name="configureServices"/> may replace services first (tests put a fake clock in).</summary>
    internal static async Task<RunningFtpServer> StartAsync(string[] args, Action<ILoggingBuilder>? configureLogging, Action<IServiceCollection>? configureServices, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = Directory.GetCurrentDirectory() });
        builder.Configuration.AddCommandLine(ServerSecurity.ExpandFlags(args), SwitchMappings);
        var options = builder.Configuration.GetSection(FtpServerOptions.SectionName).Get<FtpServerOptions>() ?? new FtpServerOptions();
        var address = Validate(options);
        ServerSecurity.Load(options, address);

        builder.Logging.ClearProviders()
            .AddSimpleConsole(console =>
            {
                console.SingleLine = true;
                console.TimestampFormat = "yyyy-MM-dd HH:mm:ss ";
            })
            // The host would announce an "http://" address, which this server does not serve; our own line says where it listens.
            .AddFilter("Microsoft.AspNetCore", LogLevel.Warning)
            .AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        configureLogging?.Invoke(builder.Logging);

        builder.Services.AddSingleton(options);
        configureServices?.Invoke(builder.Services);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<TransportMemoryPoolFactory>();
        builder.Services.AddSingleton<IMemoryPoolFactory<byte>>(services => services.GetRequiredService<TransportMemoryPoolFactory>());
        builder.Services.Configure<SocketTransportOptions>(sockets => sockets.MaxReadBufferSize = TransportMemoryPool.MaxReadBufferSize);
        builder.Services.AddSingleton<ConnectionLimiter>();
        builder.Services.AddSingleton<LoginGuard>();
        // Free space and quota are measured on the store's local folder; a store without one (S3) has only the size limit.
        builder.Services.AddSingleton(services => new StorageGuard(options, services.GetRequiredService<IFileStore>().LocalFolder));
        // Under systemd (Type=notify) or the Windows service manager the host reports its state to them; elsewhere both do nothing.
        builder.Services.AddSystemd();
        builder.Services.AddWindowsService();
        builder.Services.AddSingleton<IFileStore>(services => options.S3.IsConfigured
            ? S3FileStore.Create(options.S3, services.GetRequiredService<TimeProvider>())
            : new LocalFolderStore(options.Root, services.GetRequiredService<TimeProvider>()));
        builder.Services.AddHostedService<PartialSweeper>();
        builder.Services.AddHostedService(services => new IdleMemoryTrimmer(services.GetRequiredService<TimeProvider>(), services.GetRequiredService<TransportMemoryPoolFactory>()));
        if (options.StopOnInputEnd)
        {
            builder.Services.AddHostedService<InputEndWatcher>();
        }
        // Kestrel asks connections to close, lets transfers run this long, then cuts them.
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownGracePeriod);

        ListenOptions? listener = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // No endpoints from configuration either: the one below is the only one, and it speaks our protocol, not HTTP.
            kestrel.Configure(new ConfigurationBuilder().Build());
            kestrel.Listen(address, options.Port, listen =>
            {
                ServerSecurity.ConfigureListener(listen, options);
                listen.UseConnectionHandler<FtpConnectionHandler>();
                listener = listen;
            });
        });

        var app = builder.Build();
        try
        {
            var store = app.Services.GetRequiredService<IFileStore>();
            await app.StartAsync(cancellationToken);
            // Kestrel writes the bound endpoint back, so port 0 becomes the real port.
            var endPoint = (IPEndPoint)listener!.EndPoint;
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("PSSocketFtp.Server");
            ServerSecurity.LogMode(logger, options, endPoint);
            logger.LogInformation("{Software} listening on {EndPoint}, root {Root}", FtpConnectionSession.Software, endPoint, store.Description);
            if (options.PrintPort)
            {
                // For a parent process (Start-FtpSocketServer): a line of its own, not a log message whose format may change.
                await Console.Out.WriteLineAsync(FormattableString.Invariant($"{PortLinePrefix}{endPoint.Port}"));
                await Console.Out.FlushAsync(cancellationToken);
            }
            // The host's own lifetime lines are filtered out above, so the log would not show when a stop began or ended.
            var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
            lifetime.ApplicationStopping.Register(() => logger.LogInformation(
                "stopping: no new connections; idle ones close now, transfers in flight get up to {ShutdownGracePeriod}", options.ShutdownGracePeriod));
            lifetime.ApplicationStopped.Register(() => logger.LogInformation("stopped"));
            return new RunningFtpServer(app, endPoint, store.Description);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs a server until Ctrl+C or SIGTERM: the whole of Program.cs.</summary>
    /// <returns>The process exit code: 0 after a normal shutdown, 1 when the server could not start.</returns>
    public static async Task<int> RunAsync(string[] args)
    {
        RunningFtpServer server;
        try
        {
            server = await StartAsync(args);
        }
        catch (Exception e)
        {
            // A bad setting, a port in use, a root that cannot be created: say so plainly, no stack trace.
            await Console.Error.WriteLineAsync($"PSSocketFtp.Server could not start: {e.Message}");
            return 1;
        }
        await using (server)
        {
            await server.WaitForShutdownAsync();
        }
        return 0;
    }

    private static IPAddress Validate(FtpServerOptions options)
    {
        if (options.Port is < 0 or > IPEndPoint.MaxPort)
        {
            throw new ArgumentException($"The port {options.Port} is not between 0 and {IPEndPoint.MaxPort}.");
        }
        if (options.S3.IsConfigured)
        {
            // Said now, before anything listens: a bad S3 setting is a start-up error, as a bad port is.
            S3ClientFactory.Validate(options.S3);
            if (options.Quota > 0)
            {
                throw new ArgumentException("Quota cannot be honoured by the S3 store (it would list the whole bucket for each upload); leave it at 0 and use the bucket's own quota.");
            }
        }
        else if (string.IsNullOrWhiteSpace(options.Root))
        {
            throw new ArgumentException("The root folder is not set.");
        }
        if (new[] { options.PartialMaxAge, options.HandshakeTimeout, options.IdleTimeout, options.LoginTimeout, options.FrameTimeout, options.LoginFailureWindow }.Any(t => t <= TimeSpan.Zero)
            || options.ShutdownGracePeriod < TimeSpan.Zero)
        {
            throw new ArgumentException("PartialMaxAge, HandshakeTimeout, IdleTimeout, LoginTimeout, FrameTimeout and LoginFailureWindow must be positive, ShutdownGracePeriod not negative.");
        }
        if (options.MaxConnections < 1 || options.MaxConnectionsPerAddress < 1 || options.MaxConcurrentLogins < 1 || options.MaxFileSize < 0 || options.Quota < 0 || options.FreeSpaceReserve < 0)
        {
            throw new ArgumentException("MaxConnections, MaxConnectionsPerAddress and MaxConcurrentLogins must be at least 1; MaxFileSize, Quota and FreeSpaceReserve not negative.");
        }
        if (options.UploadReserveWindow < 0 || options.MaxReservedPerAddress < 0)
        {
            throw new ArgumentException("UploadReserveWindow and MaxReservedPerAddress must not be negative.");
        }
        if (string.Equals(options.Bind, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.Loopback;
        }
        return IPAddress.TryParse(options.Bind, out var address)
            ? address
            : throw new ArgumentException($"'{options.Bind}' is not an IP address to bind to.");
    }
}
