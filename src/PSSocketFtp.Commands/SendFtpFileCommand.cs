using System.Management.Automation;
using PSSocketFtp.Client;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Commands;

/// <summary>
/// <para type="synopsis">Uploads local files (the old <c>upload</c>).</para>
/// <para type="description">A name that exists on the server is kept and the new file stored as name_1.ext, unless -Conflict says otherwise.
/// Up to -ThrottleLimit uploads are in flight on the session at once; their results and errors come out in input order.</para>
/// </summary>
/// <example>
/// <para>Upload a file to the server's root.</para>
/// <code>Send-FtpFile ./report.csv</code>
/// <para>A file of the same name on the server is kept: the new one is stored as report_1.csv, and the result's Renamed and RemotePath say so.</para>
/// </example>
/// <example>
/// <para>Upload today's logs into a folder, replacing what is there.</para>
/// <code>Get-ChildItem ./logs -Filter *.log | Send-FtpFile -Destination /logs/ -Conflict Overwrite</code>
/// <para>Up to -ThrottleLimit uploads are in flight at once; every copy is checked end to end, and an upload cut by a network fault resumes where it stopped.</para>
/// </example>
/// <seealso cref="ReceiveFtpFileCommand"/>
/// <seealso cref="GetFtpItemCommand"/>
/// <seealso cref="GetFtpFileHashCommand"/>
/// <seealso href="about_PSSocketFtp">about_PSSocketFtp</seealso>
[Cmdlet(VerbsCommunications.Send, "FtpFile", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(FtpTransferResult))]
public sealed class SendFtpFileCommand : FtpSessionCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>Local files, wildcards allowed, relative to PowerShell's current location.</summary>
    [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0, ValueFromPipeline = true, HelpMessage = "Local files to upload; wildcards allowed.")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Local files taken as they are (no wildcards), also from Get-ChildItem's output.</summary>
    [Parameter(ParameterSetName = LiteralPathSet, Mandatory = true, ValueFromPipelineByPropertyName = true, HelpMessage = "Local files to upload, without wildcard expansion.")]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = Array.Empty<string>();

    /// <summary>The remote folder (the root when omitted; a trailing '/' makes it a folder even if it does not exist) or file path.</summary>
    [Parameter(Position = 1, HelpMessage = "Remote folder (root by default; end it with / to create it) or remote file path.")]
    [ArgumentCompleter(typeof(RemotePathCompleter))]
    public string? Destination { get; set; }

    /// <summary>What to do when the remote name exists: Rename (store name_1.ext), Overwrite or Fail.</summary>
    [Parameter(HelpMessage = "When the remote name exists: Rename (store as name_1.ext, the default), Overwrite or Fail.")]
    public ConflictMode Conflict
    {
        get => (ConflictMode)_conflict;
        set => _conflict = (byte)value;
    }

    /// <summary>The hash that proves the copy is whole: XXH128 (fast, the default) or SHA256.</summary>
    [Parameter(HelpMessage = "The hash that checks the copy end to end: XXH128 (fast, the default) or SHA256.")]
    [ValidateSet("XXH128", "SHA256", IgnoreCase = true)]
    public string Algorithm { get; set; } = "XXH128";

    /// <summary>How many requests to keep in flight on the session at once; results and errors still come out in input order.</summary>
    [Parameter(HelpMessage = "How many requests to keep in flight on the session at once")]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 32;

    // PowerShell loads this type while importing, before ModuleInitializer can point it at dependencies/; a field of
    // the protocol's enum type would need the protocol assembly for the type's layout right then, a byte does not.
    private byte _conflict = (byte)ConflictMode.Rename;

    private protected override int WindowSize => ThrottleLimit;

    /// <summary>Starts the upload of each file; the window writes the results.</summary>
    protected override void ProcessRecord()
    {
        bool literal = ParameterSetName == LiteralPathSet;
        ForEach(literal ? LiteralPath : Path, literal ? path => new[] { ResolveLocalPath(path) } : ResolveWildcards, Upload);
    }

    private IEnumerable<string> ResolveWildcards(string path)
    {
        var files = SessionState.Path.GetResolvedProviderPathFromPSPath(path, out var provider);
        RequireFileSystem(provider, path);
        return files;
    }

    private void Upload(string file)
    {
        if (Directory.Exists(file))
        {
            throw new FtpCmdletException("IsADirectory", ErrorCategory.InvalidType, $"'{file}' is a folder; only files are uploaded.");
        }
        if (!File.Exists(file))
        {
            throw new FtpCmdletException("LocalItemNotFound", ErrorCategory.ObjectNotFound, $"The local file '{file}' does not exist.");
        }
        string target = string.IsNullOrEmpty(Destination) ? "/" : Destination!;
        if (ShouldProcess(file, $"Upload to {target}"))
        {
            WriteVerbose($"Uploading '{file}' ({new FileInfo(file).Length} bytes) to '{target}'{(Conflict == ConflictMode.Rename ? "" : $", -Conflict {Conflict}")}.");
            StartTransfer(file, "Send-FtpFile", $"{file} → {target}", (progress, token) => CurrentSession.UploadFileAsync(file, Destination, Conflict, TransferHash.Parse(Algorithm.ToUpperInvariant()), progress, token));
        }
    }
}
