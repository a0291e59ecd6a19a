using System.Management.Automation;
using PSSocketFtp.Client;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Commands;

/// <summary>
/// <para type="synopsis">Downloads remote files (the old <c>download</c>).</para>
/// <para type="description">Into PowerShell's current location unless -Destination; an existing local file is kept unless -Force.</para>
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

    /// <summary>Replaces existing local files.</summary>
    [Parameter(HelpMessage = "Replace local files that exist.")]
    public SwitchParameter Force { get; set; }

    /// <summary>Downloads each file.</summary>
    protected override void ProcessRecord()
    {
        bool literal = ParameterSetName == LiteralPathSet;
        ForEachRemote(literal ? LiteralPath : Path, literal, remote =>
        {
            string local = LocalTarget(remote);
            if (!Force && File.Exists(local))
            {
                throw new FtpCmdletException("LocalFileExists", ErrorCategory.ResourceExists, $"The local file '{local}' exists; use -Force to replace it.");
            }
            WriteObject(Transfer("Receive-FtpFile", $"{remote} → {local}", (progress, token) => CurrentSession.DownloadFileAsync(remote, local, Force, progress, token)));
        });
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
