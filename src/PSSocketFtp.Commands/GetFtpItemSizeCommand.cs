using System.Management.Automation;
using PSSocketFtp.Client;

namespace PSSocketFtp.Commands;

/// <summary>
/// <para type="synopsis">Gets the size of remote items in bytes and megabytes (the old <c>size</c>).</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "FtpItemSize", DefaultParameterSetName = PathSet)]
[OutputType(typeof(FtpItemSize))]
public sealed class GetFtpItemSizeCommand : FtpSessionCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>Remote paths, wildcards allowed in the last segment.</summary>
    [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0, ValueFromPipeline = true, HelpMessage = "Remote items to measure; wildcards in the last segment.")]
    [ValidateNotNull]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Remote paths taken as they are (no wildcards), also from Get-FtpItem's FullName.</summary>
    [Parameter(ParameterSetName = LiteralPathSet, Mandatory = true, ValueFromPipelineByPropertyName = true, HelpMessage = "Remote items to measure, without wildcard expansion.")]
    [Alias("FullName")]
    [ValidateNotNull]
    public string[] LiteralPath { get; set; } = Array.Empty<string>();

    /// <summary>Measures each item.</summary>
    protected override void ProcessRecord()
    {
        bool literal = ParameterSetName == LiteralPathSet;
        ForEachRemote(literal ? LiteralPath : Path, literal, path => WriteObject(Call(token => CurrentSession.GetSizeAsync(path, token))));
    }
}
