using System.Management.Automation;
using PSSocketFtp.Client;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Commands;

/// <summary>
/// <para type="synopsis">Computes the hash of remote files on the server, shaped like Get-FileHash.</para>
/// <para type="description">Compare with Get-FileHash -Algorithm SHA256 on a local copy, or use the fast default XXH128 between two remote files.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "FtpFileHash", DefaultParameterSetName = PathSet)]
[OutputType(typeof(FtpFileHash))]
public sealed class GetFtpFileHashCommand : FtpRemotePathCmdlet
{
    /// <summary>The hash algorithm: XXH128 (fast, the default) or SHA256.</summary>
    [Parameter(HelpMessage = "The hash algorithm: XXH128 (fast, the default) or SHA256 (comparable with Get-FileHash).")]
    [ValidateSet("XXH128", "SHA256", IgnoreCase = true)]
    public string Algorithm { get; set; } = "XXH128";

    /// <summary>Hashes each file.</summary>
    protected override void ProcessRecord()
    {
        var algorithm = TransferHash.Parse(Algorithm.ToUpperInvariant());
        ForEachRemotePath(path => WriteObject(Call(token => CurrentSession.GetFileHashAsync(path, algorithm, token))));
    }
}
