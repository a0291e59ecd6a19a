using System.Management.Automation;
using PSSocketFtp.Client;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Commands;

/// <summary>
/// <para type="synopsis">Renames a remote file or folder in its folder, like Rename-Item.</para>
/// <para type="description">The rename is one atomic step on the server. An item already named -NewName is an
/// AlreadyExists error unless -Force, which replaces a file (never a folder with content). Move-FtpItem moves items
/// to another folder.</para>
/// </summary>
/// <example>
/// <para>Rename a file and see the result.</para>
/// <code>Rename-FtpItem /report.csv -NewName report-2026.csv -PassThru</code>
/// </example>
/// <example>
/// <para>Give a log a dated name, replacing one an earlier run left.</para>
/// <code>Rename-FtpItem /logs/app.log -NewName "app-$(Get-Date -Format yyyyMMdd).log" -Force</code>
/// <para>Without -Force an existing app-….log is an AlreadyExists error and nothing changes.</para>
/// </example>
/// <seealso cref="MoveFtpItemCommand"/>
/// <seealso cref="GetFtpItemCommand"/>
/// <seealso href="about_PSSocketFtp">about_PSSocketFtp</seealso>
[Cmdlet(VerbsCommon.Rename, "FtpItem", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
[OutputType(typeof(FtpItem))]
public sealed class RenameFtpItemCommand : FtpSessionCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>The item's remote path; wildcards in the last segment, which must match one item.</summary>
    [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0, ValueFromPipeline = true, HelpMessage = "The remote path of the item to rename; wildcards in the last segment.")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RemotePathCompleter))]
    public string Path { get; set; } = string.Empty;

    /// <summary>The item's remote path taken as it is (no wildcards), also from Get-FtpItem's FullName.</summary>
    [Parameter(ParameterSetName = LiteralPathSet, Mandatory = true, ValueFromPipelineByPropertyName = true, HelpMessage = "The remote path of the item to rename, without wildcard expansion (Get-FtpItem's FullName binds here).")]
    [Alias("FullName")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(RemotePathCompleter))]
    public string LiteralPath { get; set; } = string.Empty;

    /// <summary>The new name: a name only, in the same folder.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true, HelpMessage = "The new name (a name, not a path: Move-FtpItem moves items).")]
    [ValidateNotNullOrEmpty]
    public string NewName { get; set; } = string.Empty;

    /// <summary>Replaces a file already named -NewName; a folder with content is never replaced.</summary>
    [Parameter(HelpMessage = "Replace a file that already has the new name.")]
    public SwitchParameter Force { get; set; }

    /// <summary>Outputs the renamed item.</summary>
    [Parameter(HelpMessage = "Output the renamed item.")]
    public SwitchParameter PassThru { get; set; }

    /// <summary>Renames the item, once confirmed.</summary>
    protected override void ProcessRecord()
    {
        bool literal = ParameterSetName == LiteralPathSet;
        string input = literal ? LiteralPath : Path;
        Try(input, () =>
        {
            var matches = literal || !WildcardPattern.ContainsWildcardCharacters(input) ? new[] { input } : Match(input, recurse: false).Select(item => item.FullName).ToArray();
            if (matches.Length > 1)
            {
                throw new FtpCmdletException("AmbiguousPath", ErrorCategory.InvalidArgument, $"'{input}' matches {matches.Length} items; Rename-FtpItem renames one.");
            }
            string source = RemotePath.Normalize(matches[0]);
            RemotePath.CheckName(NewName);
            string target = RemotePath.Combine(RemotePath.GetParent(source), NewName);
            Try(matches[0], () => MoveRemote(source, target, Force, PassThru, $"Rename to '{NewName}'"));
        });
    }
}
