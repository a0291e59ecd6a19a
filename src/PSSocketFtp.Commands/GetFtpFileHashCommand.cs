using System.Management.Automation;
using PSSocketFtp.Client;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Commands;

/// <summary>
/// <para type="synopsis">Computes the hash of remote files on the server, shaped like Get-FileHash.</para>
/// <para type="description">Compare with Get-FileHash -Algorithm SHA256 on a local copy, or use the fast default XXH128 between two remote files.</para>
/// </summary>
/// <example>
/// <para>Check a remote file against the local one without downloading it.</para>
/// <code>(Get-FtpFileHash /report.csv -Algorithm SHA256).Hash -eq (Get-FileHash ./report.csv -Algorithm SHA256).Hash</code>
/// <para>SHA256 is computed on the server; Get-FileHash computes the same locally.</para>
/// </example>
/// <example>
/// <para>Hash every log file on the server.</para>
/// <code>Get-FtpItem /logs/*.log | Get-FtpFileHash</code>
/// <para>Get-FtpItem's FullName binds to -LiteralPath. XXH128, the default, is the fastest.</para>
/// </example>
/// <seealso cref="SendFtpFileCommand"/>
/// <seealso cref="ReceiveFtpFileCommand"/>
/// <seealso href="about_PSSocketFtp">about_PSSocketFtp</seealso>
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
