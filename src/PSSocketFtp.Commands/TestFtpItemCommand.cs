using System.Management.Automation;
using PSSocketFtp.Client;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Commands;

/// <summary>
/// <para type="synopsis">Tells whether remote items exist, like Test-Path: $true or $false for each path.</para>
/// <para type="description">With wildcards in the last segment, $true when at least one item of the folder matches (and is
/// of -PathType). A path that does not exist, or that the server refuses (outside its root), is $false, not an error.</para>
/// </summary>
/// <example>
/// <para>Test whether a file exists.</para>
/// <code>Test-FtpItem /report.csv</code>
/// </example>
/// <example>
/// <para>Create a folder only when it is missing.</para>
/// <code>if (-not (Test-FtpItem /releases -PathType Container)) {
///     New-FtpItem /releases -ItemType Directory
/// }</code>
/// </example>
/// <example>
/// <para>Test whether any log file is there.</para>
/// <code>Test-FtpItem /logs/*.log</code>
/// <para>With a wildcard the answer is $true when at least one item matches.</para>
/// </example>
/// <seealso cref="GetFtpItemCommand"/>
/// <seealso cref="NewFtpItemCommand"/>
/// <seealso href="about_PSSocketFtp">about_PSSocketFtp</seealso>
[Cmdlet(VerbsDiagnostic.Test, "FtpItem", DefaultParameterSetName = PathSet)]
[OutputType(typeof(bool))]
public sealed class TestFtpItemCommand : FtpRemotePathCmdlet
{
    /// <summary>What the item must be: Any, Leaf (a file) or Container (a folder), as Test-Path's -PathType.</summary>
    [Parameter(HelpMessage = "What the item must be: Any, Leaf (a file) or Container (a folder).")]
    [ValidateSet("Any", "Leaf", "Container", IgnoreCase = true)]
    public string PathType { get; set; } = "Any";

    /// <summary>Writes one boolean for each path given, however many items its wildcards match.</summary>
    protected override void ProcessRecord()
    {
        bool literal = ParameterSetName == LiteralPathSet;
        foreach (string path in literal ? LiteralPath : Path)
        {
            Try(path, () => WriteObject(Exists(path, literal)));
        }
    }

    private bool Exists(string path, bool literal)
    {
        try
        {
            var items = literal || !WildcardPattern.ContainsWildcardCharacters(path)
                ? new[] { Call(token => CurrentSession.GetItemAsync(path, token)) }
                : Match(path, recurse: false);
            return items.Any(IsOfPathType);
        }
        catch (FtpException e) when (e.Status is FtpStatus.NotFound or FtpStatus.NotADirectory or FtpStatus.InvalidPath)
        {
            // Test-Path answers $false for what leads nowhere; a hostile path is refused before anything is looked at.
            return false;
        }
    }

    private bool IsOfPathType(FtpItem item) => PathType.ToUpperInvariant() switch
    {
        "LEAF" => !item.IsDirectory,
        "CONTAINER" => item.IsDirectory,
        _ => true,
    };
}
