using System.Management.Automation;
using PSSocketFtp.Client;

namespace PSSocketFtp.Commands;

/// <summary>
/// <para type="synopsis">Lists remote items (the old <c>ls</c>), like Get-ChildItem.</para>
/// <para type="description">A folder lists its content, a file itself; wildcards in the last segment filter the folder's items.</para>
/// </summary>
/// <example>
/// <para>List a folder.</para>
/// <code>Get-FtpItem /logs</code>
/// <para>A folder lists its content, a file itself.</para>
/// </example>
/// <example>
/// <para>Find the log files in the whole tree, biggest first.</para>
/// <code>Get-FtpItem /*.log -Recurse | Sort-Object Length -Descending</code>
/// <para>With -Recurse a wildcard matches names anywhere below the folder.</para>
/// </example>
/// <example>
/// <para>Add up the size of everything on the server.</para>
/// <code>Get-FtpItem / -Recurse | Where-Object { -not $_.IsDirectory } | Measure-Object Length -Sum</code>
/// <para>Get-FtpItemSize gives the same total in one request.</para>
/// </example>
/// <seealso cref="GetFtpItemSizeCommand"/>
/// <seealso cref="TestFtpItemCommand"/>
/// <seealso cref="ReceiveFtpFileCommand"/>
/// <seealso href="about_PSSocketFtp">about_PSSocketFtp</seealso>
[Cmdlet(VerbsCommon.Get, "FtpItem", DefaultParameterSetName = PathSet)]
[OutputType(typeof(FtpItem))]
public sealed class GetFtpItemCommand : FtpSessionCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>Remote paths, wildcards allowed in the last segment; the root when omitted.</summary>
    [Parameter(ParameterSetName = PathSet, Position = 0, ValueFromPipeline = true, HelpMessage = "Remote folders or files to list; wildcards in the last segment. The root when omitted.")]
    [SupportsWildcards]
    [ValidateNotNull]
    [ArgumentCompleter(typeof(RemotePathCompleter))]
    public string[] Path { get; set; } = { "/" };

    /// <summary>Remote paths taken as they are (no wildcards).</summary>
    [Parameter(ParameterSetName = LiteralPathSet, Mandatory = true, ValueFromPipelineByPropertyName = true, HelpMessage = "Remote folders or files to list, without wildcard expansion.")]
    [Alias("FullName")]
    [ValidateNotNull]
    [ArgumentCompleter(typeof(RemotePathCompleter))]
    public string[] LiteralPath { get; set; } = Array.Empty<string>();

    /// <summary>Lists everything below the folders; with a wildcard, matches names in the whole subtree.</summary>
    [Parameter(HelpMessage = "List everything below the folders; with a wildcard, match names in the whole subtree.")]
    public SwitchParameter Recurse { get; set; }

    /// <summary>Lists each path, writing the items as the server's batches arrive.</summary>
    protected override void ProcessRecord()
    {
        bool literal = ParameterSetName == LiteralPathSet;
        foreach (string path in literal ? LiteralPath : Path)
        {
            Try(path, () =>
            {
                if (literal || !WildcardPattern.ContainsWildcardCharacters(path))
                {
                    List(path);
                }
                else
                {
                    WriteMatches(path, Recurse);
                }
            });
        }
    }

    private void List(string path)
    {
        long count = CallInBatches<FtpItem, long>((onBatch, token) => CurrentSession.ListInBatchesAsync(path, Recurse, onBatch, token), batch => WriteObject(batch, enumerateCollection: true));
        WriteVerbose($"Listed '{path}'{(Recurse ? " and everything below it" : "")}: {count} items.");
    }
}
