using System.Management.Automation;
using PSSocketFtp.Client;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Commands;

/// <summary>
/// <para type="synopsis">Downloads remote files (the old <c>download</c>).</para>
/// <para type="description">Into PowerShell's current location unless -Destination; an existing local file is kept unless -Force.
/// A remote folder is an IsADirectory error unless -Recurse, which downloads it with everything in it.
/// Up to -ThrottleLimit downloads (also a folder's files) are in flight on the session at once; their results and errors come out in input order.</para>
/// </summary>
/// <example>
/// <para>Download a file into a new local folder.</para>
/// <code>Receive-FtpFile /report.csv -Destination ./downloads/</code>
/// <para>A destination that ends with a separator is a folder, created when missing.</para>
/// </example>
/// <example>
/// <para>Download the logs changed in the last day.</para>
/// <code>Get-FtpItem /logs/*.log | Where-Object LastWriteTime -gt (Get-Date).AddDays(-1) | Receive-FtpFile -Destination ./recent/ -Force</code>
/// <para>-Force replaces local files of the same name. Downloaded files keep the server's LastWriteTime.</para>
/// </example>
/// <example>
/// <para>Download a folder with everything in it.</para>
/// <code>Receive-FtpFile /logs -Recurse -Destination ./mirror/</code>
/// </example>
/// <seealso cref="SendFtpFileCommand"/>
/// <seealso cref="GetFtpItemCommand"/>
/// <seealso href="about_PSSocketFtp">about_PSSocketFtp</seealso>
[Cmdlet(VerbsCommunications.Receive, "FtpFile", DefaultParameterSetName = PathSet)]
[OutputType(typeof(FtpTransferResult))]
public sealed class ReceiveFtpFileCommand : FtpRemotePathCmdlet
{
    /// <summary>
    /// An existing local folder (files keep their remote names; a trailing separator creates it) or the local file path;
    /// PowerShell's current location when omitted.
    /// </summary>
    [Parameter(Position = 1, HelpMessage = "Local folder to download into (created when it ends with a separator), or the local file path. Current location by default.")]
    [ValidateNotNullOrEmpty]
    public string? Destination { get; set; }

    /// <summary>
    /// Downloads folders with everything in them, empty folders too; without it a remote folder is an IsADirectory error.
    /// As Copy-Item -Recurse and Send-FtpFile -Recurse: <c>Receive-FtpFile /releases/build -Recurse -Destination ./out</c>
    /// makes <c>./out/build/a/b.txt</c> when ./out is a folder (or the destination ends with a separator, which creates it),
    /// and <c>./out/a/b.txt</c> when nothing is at ./out: the folder is copied as that name.
    /// </summary>
    [Parameter(HelpMessage = "Download folders with everything in them (into -Destination when it is a folder, as -Destination when it does not exist).")]
    public SwitchParameter Recurse { get; set; }

    /// <summary>The hash that proves the copy is whole: XXH128 (fast, the default) or SHA256.</summary>
    [Parameter(HelpMessage = "The hash that checks the copy end to end: XXH128 (fast, the default) or SHA256.")]
    [ValidateSet("XXH128", "SHA256", IgnoreCase = true)]
    public string Algorithm { get; set; } = "XXH128";

    /// <summary>Replaces existing local files.</summary>
    [Parameter(HelpMessage = "Replace local files that exist.")]
    public SwitchParameter Force { get; set; }

    /// <summary>How many requests to keep in flight on the session at once; results and errors still come out in input order.</summary>
    [Parameter(HelpMessage = "How many requests to keep in flight on the session at once")]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 32;

    private protected override int WindowSize => ThrottleLimit;

    // -Destination resolved against the location it was last resolved at: resolving a PowerShell path costs far more
    // than a transfer of a small file's worth of CPU, and every file of the pipeline resolves the same one.
    private (string Location, string Resolved)? _destination;

    /// <summary>Starts the download of each file; the window writes the results.</summary>
    protected override void ProcessRecord()
    {
        ForEachRemotePath(remote =>
        {
            if (Recurse && Call(token => CurrentSession.GetItemAsync(remote, token)) is { IsDirectory: true } folder)
            {
                ReceiveFolder(folder);
            }
            else
            {
                Receive(remote, LocalTarget(remote));
            }
        });
    }

    private void ReceiveFolder(FtpItem folder)
    {
        string root = LocalTarget(folder.FullName);
        Directory.CreateDirectory(root);
        string prefix = RemotePath.Normalize(folder.FullName);
        var items = Call(token => CurrentSession.ListAsync(folder.FullName, recurse: true, token));
        WriteVerbose($"Listed '{folder.FullName}' and everything below it: {items.Count} items, to download into '{root}'.");
        // The server lists folders before their content, so each file's local folder is made before its download starts.
        foreach (var item in items)
        {
            Try(item.FullName, () =>
            {
                string relative = RelativeTo(prefix, item);
                string local = System.IO.Path.Combine(root, relative.Replace('/', System.IO.Path.DirectorySeparatorChar));
                if (item.IsDirectory)
                {
                    Directory.CreateDirectory(local);
                }
                else
                {
                    Receive(item.FullName, local);
                }
            });
        }
    }

    private void Receive(string remote, string local)
    {
        if (!Force && File.Exists(local))
        {
            throw new FtpCmdletException("LocalFileExists", ErrorCategory.ResourceExists, $"The local file '{local}' exists; use -Force to replace it.");
        }
        if (VerboseOn)
        {
            WriteVerbose($"Downloading '{remote}' to '{local}'{(Force ? ", replacing a local file there" : "")}.");
        }
        bool force = Force;
        var algorithm = TransferHash.Parse(Algorithm.ToUpperInvariant());
        StartTransfer(remote, "Receive-FtpFile", $"{remote} → {local}", (progress, token) => CurrentSession.DownloadFileAsync(remote, local, force, algorithm, progress, token));
    }

    /// <summary>
    /// <see cref="FtpCmdlet.ResolveLocalPath"/> of -Destination, again only when the current location changed (a
    /// command upstream may move it); an error is not kept, so each item still gets its own.
    /// </summary>
    private string ResolveDestination(string path)
    {
        string location = SessionState.Path.CurrentLocation.Path;
        if (_destination is { } cached && cached.Location == location)
        {
            return cached.Resolved;
        }
        string resolved = ResolveLocalPath(path);
        _destination = (location, resolved);
        return resolved;
    }

    private string LocalTarget(string remote)
    {
        string destination = Destination is null ? SessionState.Path.CurrentFileSystemLocation.ProviderPath : ResolveDestination(Destination);
        if (Destination is not null && !Directory.Exists(destination) && (Destination.EndsWith("/", StringComparison.Ordinal) || Destination.EndsWith("\\", StringComparison.Ordinal)))
        {
            Directory.CreateDirectory(destination);
        }
        return Directory.Exists(destination)
            ? System.IO.Path.Combine(destination, RemotePath.GetName(RemotePath.Normalize(remote)))
            : destination;
    }
}
