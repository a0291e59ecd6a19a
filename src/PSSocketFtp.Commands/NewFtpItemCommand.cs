using System.Management.Automation;
using PSSocketFtp.Client;

namespace PSSocketFtp.Commands;

/// <summary>
/// <para type="synopsis">Creates remote folders with their missing parents (the old <c>mkdir</c>), like New-Item.</para>
/// <para type="description">An existing folder is an AlreadyExists error unless -Force, which outputs it instead; a file
/// in the way is an error either way. Files are made by Send-FtpFile.</para>
/// </summary>
/// <example>
/// <para>Create a folder and its missing parents.</para>
/// <code>New-FtpItem /releases/2026/12 -ItemType Directory</code>
/// </example>
/// <example>
/// <para>Make sure a folder exists, whether or not it already does.</para>
/// <code>New-FtpItem /logs -ItemType Directory -Force</code>
/// <para>-Force outputs an existing folder instead of an AlreadyExists error.</para>
/// </example>
/// <example>
/// <para>Create a folder whose name has brackets, as other cmdlets' -LiteralPath would name it.</para>
/// <code>New-FtpItem -LiteralPath '/builds/[nightly]' -ItemType Directory</code>
/// <para>-Path takes no wildcards either; -LiteralPath is there so that the same parameter works on every cmdlet.</para>
/// </example>
/// <seealso cref="TestFtpItemCommand"/>
/// <seealso cref="RemoveFtpItemCommand"/>
/// <seealso cref="SendFtpFileCommand"/>
/// <seealso href="about_PSSocketFtp">about_PSSocketFtp</seealso>
[Cmdlet(VerbsCommon.New, "FtpItem", SupportsShouldProcess = true, DefaultParameterSetName = PathSet)]
[OutputType(typeof(FtpItem))]
public sealed class NewFtpItemCommand : FtpSessionCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>Remote paths of the folders, taken as they are: a folder is never created by pattern, so there are no wildcards.</summary>
    [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, HelpMessage = "Remote paths of the folders to create.")]
    [ValidateNotNull]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Remote paths of the folders, taken as they are, like -Path; there for the other cmdlets' -LiteralPath, and Get-FtpItem's FullName binds here.</summary>
    [Parameter(ParameterSetName = LiteralPathSet, Mandatory = true, ValueFromPipelineByPropertyName = true, HelpMessage = "Remote paths of the folders to create, taken as they are (Get-FtpItem's FullName binds here).")]
    [Alias("FullName")]
    [ValidateNotNull]
    public string[] LiteralPath { get; set; } = Array.Empty<string>();

    /// <summary>What to create: only Directory for now.</summary>
    [Parameter(Mandatory = true, HelpMessage = "What to create: Directory (files are sent with Send-FtpFile).")]
    [Alias("Type")]
    [ValidateSet("Directory", IgnoreCase = true)]
    public string ItemType { get; set; } = "Directory";

    /// <summary>Outputs a folder that already exists instead of an AlreadyExists error, as New-Item -Force does.</summary>
    [Parameter(HelpMessage = "Output a folder that already exists instead of an error.")]
    public SwitchParameter Force { get; set; }

    /// <summary>Creates each folder, once confirmed.</summary>
    protected override void ProcessRecord()
    {
        foreach (string path in ParameterSetName == LiteralPathSet ? LiteralPath : Path)
        {
            if (ShouldProcess(path, "Create folder"))
            {
                Try(path, () => WriteObject(Call(token => CurrentSession.CreateFolderAsync(path, Force, token))));
            }
        }
    }
}
