using System.Management.Automation;
using PSSocketFtp.Client;

namespace PSSocketFtp.Commands;

/// <summary>
/// <para type="synopsis">Gets the size of remote items in bytes and megabytes (the old <c>size</c>).</para>
/// <para type="description">A file's size is its length; a folder's is the total of the files in it and in every folder below
/// it, with their count (FileCount), added up on the server in one request.</para>
/// </summary>
/// <example>
/// <para>Get a file's size.</para>
/// <code>Get-FtpItemSize /report.csv</code>
/// </example>
/// <example>
/// <para>Get a folder's total and how many files it holds.</para>
/// <code>Get-FtpItemSize /logs | Select-Object Path, Length, FileCount</code>
/// <para>A folder's size is the total of the files in it and in every folder below it.</para>
/// </example>
/// <seealso cref="GetFtpItemCommand"/>
/// <seealso href="about_PSSocketFtp">about_PSSocketFtp</seealso>
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
