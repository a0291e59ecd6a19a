using System.Management.Automation;
using PSSocketFtp.Client;

namespace PSSocketFtp.Commands;

/// <summary>
/// <para type="synopsis">Gets the size of remote items in bytes and megabytes (the old <c>size</c>): a folder's is the total of the files in it and below, with their count.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "FtpItemSize", DefaultParameterSetName = PathSet)]
[OutputType(typeof(FtpItemSize))]
public sealed class GetFtpItemSizeCommand : FtpRemotePathCmdlet
{
    /// <summary>Measures each item.</summary>
    protected override void ProcessRecord()
    {
        ForEachRemotePath(path => WriteObject(Call(token => CurrentSession.GetSizeAsync(path, token))));
    }
}
