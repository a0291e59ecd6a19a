using System.Management.Automation;
using PSSocketFtp.Client;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Commands;

/// <summary>
/// <para type="synopsis">Moves remote files and folders into an existing folder, or to a new path, like Move-Item.</para>
/// <para type="description">Each move is one atomic step on the server. A -Destination that is an existing folder (or
/// ends with '/') receives the items under their own names; otherwise it is the item's new path, whose parent folder
/// must exist. An item already at the target is an AlreadyExists error unless -Force, which replaces a file (never a
/// folder with content). A folder never moves into itself, and the root never moves.</para>
/// </summary>
/// <example>
/// <para>Move the logs older than 30 days into an archive folder.</para>
/// <code>New-FtpItem /archive -ItemType Directory -Force | Out-Null
/// Get-FtpItem /logs/*.log | Where-Object LastWriteTime -lt (Get-Date).AddDays(-30) | Move-FtpItem -Destination /archive/</code>
/// </example>
/// <example>
/// <para>Move and rename in one step.</para>
/// <code>Move-FtpItem /report.csv -Destination /logs/report.csv -PassThru</code>
/// <para>The destination is not a folder, so it is the file's new path; its folder must exist.</para>
/// </example>
/// <seealso cref="RenameFtpItemCommand"/>
/// <seealso cref="NewFtpItemCommand"/>
/// <seealso href="about_PSSocketFtp">about_PSSocketFtp</seealso>
[Cmdlet(VerbsCommon.Move, "FtpItem", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
[OutputType(typeof(FtpItem))]
public sealed class MoveFtpItemCommand : FtpRemotePathCmdlet
{
    private bool? _intoFolder;

    /// <summary>An existing folder to move the items into, or the new path of the item.</summary>
    [Parameter(Mandatory = true, Position = 1, HelpMessage = "An existing remote folder to move the items into, or the item's new remote path.")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RemotePathCompleter))]
    public string Destination { get; set; } = string.Empty;

    /// <summary>Replaces a file at the target; a folder with content is never replaced.</summary>
    [Parameter(HelpMessage = "Replace a file already at the target.")]
    public SwitchParameter Force { get; set; }

    /// <summary>Outputs each moved item.</summary>
    [Parameter(HelpMessage = "Output each moved item.")]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Moves each item, once confirmed.</summary>
    protected override void ProcessRecord()
    {
        ForEachRemotePath(path =>
        {
            string source = RemotePath.Normalize(path);
            string destination = RemotePath.Normalize(Destination);
            string target = IntoFolder() ? RemotePath.Combine(destination, RemotePath.GetName(source)) : destination;
            MoveRemote(source, target, Force, PassThru, $"Move to '{RemotePath.ToDisplay(target)}'");
        });
    }

    // Asked once per command: an item moved to a new path makes it exist, and the next item must not then go into it.
    private bool IntoFolder()
    {
        if (_intoFolder is null)
        {
            bool folderSyntax = Destination.EndsWith("/", StringComparison.Ordinal) || Destination.EndsWith("\\", StringComparison.Ordinal) || RemotePath.Normalize(Destination).Length == 0;
            try
            {
                _intoFolder = folderSyntax || Call(token => CurrentSession.GetItemAsync(Destination, token)).IsDirectory;
            }
            catch (FtpException e) when (e.Status == FtpStatus.NotFound)
            {
                // A new path: its parent must exist, which the server checks.
                _intoFolder = false;
            }
            WriteVerbose(_intoFolder.Value ? $"Moving into the folder '{Destination}'." : $"Moving to the new path '{Destination}'.");
        }
        return _intoFolder.Value;
    }
}
