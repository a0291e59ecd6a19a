using System.Management.Automation;
using PSSocketFtp.Client;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Commands;

/// <summary>
/// <para type="synopsis">Downloads remote files (the old <c>download</c>).</para>
/// <para type="description">Into PowerShell's current location unless -Destination; an existing local file is kept unless -Force.
/// A remote folder is an IsADirectory error unless -Recurse, which downloads it with everything in it.</para>
/// </summary>
[Cmdlet(VerbsCommunications.Receive, "FtpFile", DefaultParameterSetName = PathSet)]
[OutputType(typeof(FtpTransferResult))]
public sealed class ReceiveFtpFileCommand : FtpSessionCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>Remote files, wildcards allowed in the last segment.</summary>
    [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0, ValueFromPipeline = true, HelpMessage = "Remote files to download; wildcards in the last segment.")]
    [ValidateNotNull]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Remote files taken as they are (no wildcards), also from Get-FtpItem's FullName.</summary>
    [Parameter(ParameterSetName = LiteralPathSet, Mandatory = true, ValueFromPipelineByPropertyName = true, HelpMessage = "Remote files to download, without wildcard expansion.")]
    [Alias("FullName")]
    [ValidateNotNull]
    public string[] LiteralPath { get; set; } = Array.Empty<string>();

    /// <summary>
    /// An existing local folder (files keep their remote names; a trailing separator creates it) or the local file path;
    /// PowerShell's current location when omitted.
    /// </summary>
    [Parameter(Position = 1, HelpMessage = "Local folder to download into (created when it ends with a separator), or the local file path. Current location by default.")]
    [ValidateNotNullOrEmpty]
    public string? Destination { get; set; }

    /// <summary>Downloads folders with everything in them; without it a remote folder is an IsADirectory error.</summary>
    [Parameter(HelpMessage = "Download folders with everything in them.")]
    public SwitchParameter Recurse { get; set; }

    /// <summary>Replaces existing local files.</summary>
    [Parameter(HelpMessage = "Replace local files that exist.")]
    public SwitchParameter Force { get; set; }

    /// <summary>Downloads each file.</summary>
    protected override void ProcessRecord()
    {
        bool literal = ParameterSetName == LiteralPathSet;
        ForEachRemote(literal ? LiteralPath : Path, literal, remote =>
        {
            if (Recurse && Call(token => CurrentSession.GetItemAsync(remote, token)) is { IsDirectory: true } folder)
            {
                ReceiveFolder(folder);
            }
            else
            {
                Receive(remote, LocalTarget(remote));
            }
        });
    }

    private void ReceiveFolder(FtpItem folder)
    {
        string root = LocalTarget(folder.FullName);
        Directory.CreateDirectory(root);
        string prefix = RemotePath.Normalize(folder.FullName);
        // The server lists folders before their content, so each file's local folder exists when its turn comes.
        foreach (var item in Call(token => CurrentSession.ListAsync(folder.FullName, recurse: true, token)))
        {
            Try(item.FullName, () =>
            {
                // Normalizing refuses '..', and the prefix check anything else outside the folder: a listing can never
                // place a file outside the target folder.
                string path = RemotePath.Normalize(item.FullName);
                if (prefix.Length > 0 && !path.StartsWith(prefix + "/", StringComparison.Ordinal))
                {
                    throw new FtpException(FtpStatus.MalformedFrame, $"The server listed '{item.FullName}' as inside '{folder.FullName}'.");
                }
                string relative = prefix.Length == 0 ? path : path.Substring(prefix.Length + 1);
                string local = System.IO.Path.Combine(root, relative.Replace('/', System.IO.Path.DirectorySeparatorChar));
                if (item.IsDirectory)
                {
                    Directory.CreateDirectory(local);
                }
                else
                {
                    Receive(item.FullName, local);
                }
            });
        }
    }

    private void Receive(string remote, string local)
    {
        if (!Force && File.Exists(local))
        {
            throw new FtpCmdletException("LocalFileExists", ErrorCategory.ResourceExists, $"The local file '{local}' exists; use -Force to replace it.");
        }
        WriteObject(Transfer("Receive-FtpFile", $"{remote} → {local}", (progress, token) => CurrentSession.DownloadFileAsync(remote, local, Force, progress: progress, cancellationToken: token)));
    }

    private string LocalTarget(string remote)
    {
        string destination = Destination is null ? SessionState.Path.CurrentFileSystemLocation.ProviderPath : ResolveLocalPath(Destination);
        if (Destination is not null && !Directory.Exists(destination) && (Destination.EndsWith("/", StringComparison.Ordinal) || Destination.EndsWith("\\", StringComparison.Ordinal)))
        {
            Directory.CreateDirectory(destination);
        }
        return Directory.Exists(destination)
            ? System.IO.Path.Combine(destination, RemotePath.GetName(RemotePath.Normalize(remote)))
            : destination;
    }
}
