using System.Management.Automation;

namespace PSSocketFtp.Commands;

/// <summary>A cmdlet that acts on remote items named by -Path (wildcards in the last segment) or -LiteralPath (also Get-FtpItem's FullName).</summary>
public abstract class FtpRemotePathCmdlet : FtpSessionCmdlet
{
    /// <summary>The parameter set of -Path.</summary>
    protected const string PathSet = "Path";

    /// <summary>The parameter set of -LiteralPath.</summary>
    protected const string LiteralPathSet = "LiteralPath";

    /// <summary>Remote paths, wildcards allowed in the last segment.</summary>
    [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0, ValueFromPipeline = true, HelpMessage = "Remote paths; wildcards in the last segment.")]
    [SupportsWildcards]
    [ValidateNotNull]
    [ArgumentCompleter(typeof(RemotePathCompleter))]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Remote paths taken as they are (no wildcards), also from Get-FtpItem's FullName.</summary>
    [Parameter(ParameterSetName = LiteralPathSet, Mandatory = true, ValueFromPipelineByPropertyName = true, HelpMessage = "Remote paths, without wildcard expansion (Get-FtpItem's FullName binds here).")]
    [Alias("FullName")]
    [ValidateNotNull]
    [ArgumentCompleter(typeof(RemotePathCompleter))]
    public string[] LiteralPath { get; set; } = Array.Empty<string>();

    /// <summary>Runs <paramref name="action"/> for each remote path the parameters name, wildcards expanded.</summary>
    private protected void ForEachRemotePath(Action<string> action)
    {
        bool literal = ParameterSetName == LiteralPathSet;
        ForEachRemote(literal ? LiteralPath : Path, literal, action);
    }
}
