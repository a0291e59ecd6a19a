using System.Diagnostics;
using System.Management.Automation;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace PSSocketFtp.Commands;

/// <summary>
/// <para type="synopsis">Starts a real PSSocketFtp server on loopback, for tests: pipe it into Connect-FtpSocket, stop it with Stop-FtpSocketServer.</para>
/// <para type="description">Runs the server the module carries in its server folder (or -ServerPath, or $env:PSSOCKETFTP_SERVER) with the
/// dotnet host, which needs the .NET 10 runtime with ASP.NET Core (the .NET 10 SDK has it); a native server given by -ServerPath runs on its own. The server listens on 127.0.0.1, on a free port
/// unless -Port, and serves -Root (created when missing; without -Root a new temporary folder, deleted when the server stops). It stops
/// when Stop-FtpSocketServer stops it, and when this PowerShell process ends in any way.</para>
/// </summary>
/// <example>
/// <para>Start a throwaway server, use it, and stop it.</para>
/// <code>$srv = Start-FtpSocketServer
/// $srv | Connect-FtpSocket
/// Send-FtpFile ./report.csv
/// $srv | Stop-FtpSocketServer</code>
/// <para>The server serves a new temporary folder, deleted when it stops. In a Pester file, start it in BeforeAll (-Root TestDrive:\ keeps its files with the test's) and stop it in AfterAll.</para>
/// </example>
/// <example>
/// <para>A server that lets in one user, with a session that is not the default.</para>
/// <code>$login = [pscredential]::new('tester', (ConvertTo-SecureString 'not-a-real-secret' -AsPlainText -Force))
/// $srv = Start-FtpSocketServer -Root ./served -Credential $login
/// $session = $srv | Connect-FtpSocket -Credential $login -NoDefault
/// Get-FtpItem / -Session $session
/// $srv | Stop-FtpSocketServer</code>
/// <para>The password reaches the server on its standard input, never on a command line.</para>
/// </example>
/// <seealso cref="StopFtpSocketServerCommand"/>
/// <seealso cref="ConnectFtpSocketCommand"/>
/// <seealso href="about_PSSocketFtp">about_PSSocketFtp</seealso>
[Cmdlet(VerbsLifecycle.Start, "FtpSocketServer")]
[OutputType(typeof(FtpServerInstance))]
public sealed class StartFtpSocketServerCommand : PSCmdlet
{
    private const string CertificatePasswordVariable = "PSSocketFtp__CertificatePassword";
    private static readonly Regex PortLine = new("^PSSOCKETFTP_PORT=(\\d+)$", RegexOptions.CultureInvariant);
    private readonly ManualResetEvent _stopping = new(false);

    /// <summary>The folder to serve, a PowerShell path (TestDrive:\ too).</summary>
    [Parameter(Position = 0, HelpMessage = "The folder to serve, a PowerShell path such as TestDrive:\\ (created when missing). Without it, a new temporary folder that is deleted when the server stops.")]
    [ValidateNotNullOrEmpty]
    public string? Root { get; set; }

    /// <summary>The TCP port; 0, the default, lets the system choose a free one.</summary>
    [Parameter(HelpMessage = "The TCP port to listen on (default 0: a free port the system chooses; the output's Port says which).")]
    [ValidateRange(0, 65535)]
    public int Port { get; set; }

    /// <summary>The one user the server lets in; without it the server is anonymous.</summary>
    [Parameter(HelpMessage = "The one user the server lets in (connect with the same -Credential); without it the server serves anonymously.")]
    [Credential]
    public PSCredential? Credential { get; set; }

    /// <summary>The server's certificate: a PFX file's path, or an X509Certificate2 with its private key; the server then speaks TLS.</summary>
    [Parameter(HelpMessage = "The server's certificate, for TLS: the path of a PFX file (with -CertificatePassword when it has one), or an X509Certificate2 with an exportable private key.")]
    [ValidateNotNull]
    public object? Certificate { get; set; }

    /// <summary>The password of the PFX file of -Certificate.</summary>
    [Parameter(HelpMessage = "The password of the PFX file that -Certificate names.")]
    public System.Security.SecureString? CertificatePassword { get; set; }

    /// <summary>The server to run instead of the module's own: a PSSocketFtp.Server.dll, or a native server (pssocketftp-server, from ./build.ps1 -Task NativeServer or the linux-x64 package).</summary>
    [Parameter(HelpMessage = "The server to run instead of the one in the module's server folder: a PSSocketFtp.Server.dll, or a native pssocketftp-server ($env:PSSOCKETFTP_SERVER does the same).")]
    [ValidateNotNullOrEmpty]
    public string? ServerPath { get; set; }

    /// <summary>How long the server may take to start listening.</summary>
    [Parameter(HelpMessage = "Seconds the server may take to start listening (default: 60).")]
    [ValidateRange(1, 3600)]
    public int StartTimeoutSec { get; set; } = 60;

    /// <summary>Ctrl+C while the server starts: stop waiting.</summary>
    protected override void StopProcessing() => _stopping.Set();

    /// <summary>Starts the server and outputs it once it listens.</summary>
    protected override void EndProcessing()
    {
        try
        {
            WriteObject(StartServer());
        }
        catch (FtpCmdletException e)
        {
            ThrowTerminatingError(new ErrorRecord(e, e.ErrorId, e.Category, Root));
        }
    }

    private FtpServerInstance StartServer()
    {
        var (program, leading) = ServerLauncher.CommandFor(ServerLauncher.FindServer(ServerPath is null ? null : ResolveFileSystemPath(ServerPath)));
        bool temporaryRoot = Root is null;
        string root = Root is null
            ? Path.Combine(Path.GetTempPath(), "psftp-server-" + Guid.NewGuid().ToString("N"))
            : ResolveFileSystemPath(Root);
        var arguments = new List<string>(leading) { "--root", root, "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--stop-on-input-end", "--print-port" };
        var environment = new Dictionary<string, string>();
        string? state = null;
        string? thumbprint = null;
        try
        {
            if ((Credential is not null && Credential != PSCredential.Empty) || Certificate is not null)
            {
                // Private files of this server: its users file and its certificate copy; deleted when it stops.
                state = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "psftp-server-state-" + Guid.NewGuid().ToString("N"))).FullName;
            }
            if (Credential is not null && Credential != PSCredential.Empty)
            {
                string users = Path.Combine(state!, "users");
                AddUser(program, leading, users);
                arguments.AddRange(new[] { "--users", users });
            }
            if (Certificate is not null)
            {
                // A copy under a random password that travels in the server's environment, never on its command line.
                string password = Convert.ToBase64String(RandomBytes(24));
                string copy = Path.Combine(state!, "certificate.pfx");
                thumbprint = ExportCertificate(copy, password);
                arguments.AddRange(new[] { "--certificate", copy });
                environment[CertificatePasswordVariable] = password;
            }
            WriteVerbose($"Starting '{program}' {string.Join(" ", arguments.Select(ServerLauncher.Quote))}");
            var instance = Run(program, arguments, environment, root, temporaryRoot, state, thumbprint);
            WriteVerbose($"The server (process {instance.ProcessId}) listens on {instance} and serves '{instance.Root}'.");
            return instance;
        }
        catch
        {
            FtpServerInstance.DeleteFolder(state);
            throw;
        }
    }

    private FtpServerInstance Run(string program, List<string> arguments, Dictionary<string, string> environment, string root, bool temporaryRoot, string? state, string? thumbprint)
    {
        var output = new OutputTail();
        int port = 0;
        using var ready = new ManualResetEvent(false);
        var process = ServerLauncher.Start(program, arguments, output, line =>
        {
            var match = PortLine.Match(line);
            if (match.Success && port == 0)
            {
                port = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                ready.Set();
            }
        }, environment);
        using var exited = new ManualResetEvent(false);
        process.Exited += (_, _) => SetQuietly(exited);
        if (process.HasExited)
        {
            exited.Set();
        }
        int which = WaitHandle.WaitAny(new WaitHandle[] { ready, exited, _stopping }, TimeSpan.FromSeconds(StartTimeoutSec));
        if (which == 0)
        {
            return new FtpServerInstance(process, output, port, root, temporaryRoot, state, Credential?.UserName is { Length: > 0 } user ? user : null, thumbprint);
        }
        if (!process.HasExited)
        {
            process.Kill();
        }
        process.WaitForExit();
        if (temporaryRoot)
        {
            FtpServerInstance.DeleteFolder(root);
        }
        if (which == 2)
        {
            throw new PipelineStoppedException();
        }
        string log = string.Join(Environment.NewLine, output.Lines());
        throw which == 1
            ? new FtpCmdletException("ServerStartFailed", ErrorCategory.OpenError, $"The server exited with code {process.ExitCode} before it listened. Its output:{Environment.NewLine}{log}")
            : new FtpCmdletException("ServerStartTimeout", ErrorCategory.OperationTimeout, $"The server did not listen within {StartTimeoutSec} s. Its output:{Environment.NewLine}{log}");
    }

    /// <summary>Writes the users file with the server's add-user command; the password goes to it on standard input.</summary>
    private void AddUser(string program, string[] leading, string users)
    {
        var output = new OutputTail();
        using var process = ServerLauncher.Start(program, leading.Concat(new[] { "add-user", Credential!.UserName, "--users", users }), output, onLine: null);
        process.StandardInput.WriteLine(Credential.GetNetworkCredential().Password);
        process.StandardInput.Close();
        if (!process.WaitForExit(StartTimeoutSec * 1000))
        {
            process.Kill();
            throw new FtpCmdletException("ServerStartTimeout", ErrorCategory.OperationTimeout, $"The server's add-user did not end within {StartTimeoutSec} s.");
        }
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new FtpCmdletException("InvalidCredential", ErrorCategory.InvalidArgument, $"The server refused the user '{Credential.UserName}': {string.Join(" ", output.Lines())}");
        }
    }

    /// <summary>Writes the certificate with its private key to <paramref name="path"/> under <paramref name="password"/>; returns its thumbprint.</summary>
    private string ExportCertificate(string path, string password)
    {
        object value = Certificate is PSObject wrapped ? wrapped.BaseObject : Certificate!;
        try
        {
            if (value is X509Certificate2 given)
            {
                return Export(given, path, password);
            }
            if (value is string file)
            {
                using var loaded = new X509Certificate2(ResolveFileSystemPath(file), CertificatePassword, X509KeyStorageFlags.Exportable);
                return Export(loaded, path, password);
            }
        }
        catch (CryptographicException e)
        {
            throw new FtpCmdletException("InvalidCertificate", ErrorCategory.InvalidArgument, $"Could not use the certificate: {e.Message}");
        }
        throw new FtpCmdletException("InvalidCertificate", ErrorCategory.InvalidArgument, "-Certificate takes the path of a PFX file or an X509Certificate2.");
    }

    private static string Export(X509Certificate2 certificate, string path, string password)
    {
        if (!certificate.HasPrivateKey)
        {
            throw new FtpCmdletException("InvalidCertificate", ErrorCategory.InvalidArgument, $"The certificate {certificate.Thumbprint} has no private key; the server needs it.");
        }
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
        return certificate.Thumbprint;
    }

    private string ResolveFileSystemPath(string path)
    {
        string resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out var provider, out _);
        if (provider.Name != "FileSystem")
        {
            throw new FtpCmdletException("NotFileSystemPath", ErrorCategory.InvalidArgument, $"'{path}' is a {provider.Name} path; the server needs a file system path.");
        }
        return resolved;
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        using var random = RandomNumberGenerator.Create();
        random.GetBytes(bytes);
        return bytes;
    }

    private static void SetQuietly(ManualResetEvent handle)
    {
        try
        {
            handle.Set();
        }
        catch (ObjectDisposedException)
        {
            // The start is over; nobody waits any more.
        }
    }
}
