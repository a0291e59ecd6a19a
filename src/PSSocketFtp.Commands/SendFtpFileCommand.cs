using System.Management.Automation;
using PSSocketFtp.Client;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Commands;

/// <summary>
/// <para type="synopsis">Uploads local files (the old <c>upload</c>).</para>
/// <para type="description">A name that exists on the server is kept and the new file stored as name_1.ext, unless -Conflict says otherwise.
/// A local folder is an IsADirectory error unless -Recurse, which uploads it with everything in it, empty folders too,
/// as Copy-Item -Recurse copies a folder: into -Destination when that is a folder (or ends with '/'), as -Destination when it does not exist.
/// Up to -ThrottleLimit uploads (also a folder's files) are in flight on the session at once; their results and errors come out in input order.</para>
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
/// <example>
/// <para>Upload a folder with everything in it.</para>
/// <code>Send-FtpFile ./logs -Recurse -Destination /archive/</code>
/// <para>Stores ./logs/app.log as /archive/logs/app.log, as Copy-Item -Recurse copies into an existing folder; empty folders are made too.</para>
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

    /// <summary>
    /// Uploads folders with everything in them, empty folders too; without it a local folder is an IsADirectory error.
    /// <c>Send-FtpFile ./build -Recurse -Destination /releases</c> stores <c>./build/a/b.txt</c> as
    /// <c>/releases/build/a/b.txt</c> when /releases is a folder or the destination ends with '/' (created when missing),
    /// and as <c>/releases/a/b.txt</c> when /releases does not exist: the folder is copied as that name, as with Copy-Item -Recurse.
    /// Existing remote folders are merged into; existing files follow -Conflict. Links to folders below the folder are
    /// skipped with a warning (as Get-ChildItem -Recurse does without -FollowSymlink), so a loop cannot make the walk endless.
    /// </summary>
    [Parameter(HelpMessage = "Upload folders with everything in them, empty folders too (into -Destination when it is a folder, as -Destination when it does not exist).")]
    public SwitchParameter Recurse { get; set; }

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
        ForEach(literal ? LiteralPath : Path, literal ? path => new[] { ResolveLiteralLocalPath(path) } : ResolveWildcards, Upload);
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
            if (!Recurse)
            {
                throw new FtpCmdletException("IsADirectory", ErrorCategory.InvalidType, $"'{file}' is a folder; use -Recurse to upload it with everything in it.");
            }
            SendFolder(file);
            return;
        }
        if (!File.Exists(file))
        {
            throw new FtpCmdletException("LocalItemNotFound", ErrorCategory.ObjectNotFound, $"The local file '{file}' does not exist.");
        }
        UploadFile(file, Destination);
    }

    private void UploadFile(string file, string? destination)
    {
        string target = string.IsNullOrEmpty(destination) ? "/" : destination!;
        if (ShouldProcess(file, $"Upload to {target}"))
        {
            if (VerboseOn)
            {
                WriteVerbose($"Uploading '{file}' ({new FileInfo(file).Length} bytes) to '{target}'{(Conflict == ConflictMode.Rename ? "" : $", -Conflict {Conflict}")}.");
            }
            var conflict = Conflict;
            var algorithm = TransferHash.Parse(Algorithm.ToUpperInvariant());
            StartTransfer(file, "Send-FtpFile", $"{file} → {target}", (progress, token) => CurrentSession.UploadFileAsync(file, destination, conflict, algorithm, progress, token));
        }
    }

    /// <summary>
    /// Uploads a local folder and everything below it: its remote folder is made first (so that the next input finds
    /// it), then each folder below is made and each file uploaded through the window, thousands in flight as with
    /// ordinary uploads. Each file goes to its folder with a trailing '/', which the server creates when missing, so no
    /// upload waits for its folder's MKDIR; MKDIR is there for the empty folders and for the errors about each folder.
    /// </summary>
    private void SendFolder(string folder)
    {
        string name = System.IO.Path.GetFileName(folder.TrimEnd(System.IO.Path.DirectorySeparatorChar, System.IO.Path.AltDirectorySeparatorChar));
        var (root, why) = RemoteRoot(name);
        WriteVerbose($"Sending the folder '{folder}' and everything in it to '{root}': {why}.");
        if (!MakeFolder(folder, root, inWindow: false))
        {
            return;
        }
        int files = 0, folders = 0, links = 0;
        // Depth first, names in ordinal order within a folder, so the output's order does not depend on the file system.
        var pending = new Stack<(string Local, string Remote)>();
        pending.Push((folder, root));
        while (pending.Count > 0)
        {
            var (local, remote) = pending.Pop();
            Try(local, () =>
            {
                var entries = new DirectoryInfo(local).GetFileSystemInfos();
                Array.Sort(entries, (a, b) => string.CompareOrdinal(a.Name, b.Name));
                var below = new List<(string, string)>();
                foreach (var entry in entries)
                {
                    // Each entry on its own: a name the server cannot take (a ':' or a '\' in a Linux name) is an
                    // InvalidPath error about it, and a folder that fails takes only what is below it along.
                    Try(entry.FullName, () =>
                    {
                        RemotePath.CheckName(entry.Name, entry.FullName);
                        string remoteChild = remote.TrimEnd('/') + "/" + entry.Name;
                        if (entry is not DirectoryInfo directory)
                        {
                            files++;
                            UploadFile(entry.FullName, remote.TrimEnd('/') + "/");
                        }
                        else if ((directory.Attributes & FileAttributes.ReparsePoint) != 0)
                        {
                            links++;
                            WriteWarning($"Skipped '{directory.FullName}': it is a link to a folder, and links to folders are not followed (a loop would never end). Send its target on its own to upload it.");
                        }
                        else if (MakeFolder(directory.FullName, remoteChild, inWindow: true))
                        {
                            folders++;
                            below.Add((directory.FullName, remoteChild));
                        }
                    });
                }
                for (int i = below.Count - 1; i >= 0; i--)
                {
                    pending.Push(below[i]);
                }
            });
        }
        WriteVerbose($"Walked '{folder}': {files} files and {folders} folders below it to '{root}'{(links > 0 ? $", {links} links to folders skipped" : "")}.");
    }

    /// <summary>
    /// Makes a remote folder (an existing one is fine), once confirmed: <paramref name="inWindow"/> through the window,
    /// else at once. False when declined other than by -WhatIf, so that nothing below it is uploaded either; -WhatIf goes
    /// on below it to tell each action.
    /// </summary>
    private bool MakeFolder(string local, string remote, bool inWindow)
    {
        string action = $"Create folder {remote}";
        if (!ShouldProcess($"Performing the operation \"{action}\" on target \"{local}\".", $"Are you sure you want to perform this action?\nPerforming the operation \"{action}\" on target \"{local}\".", "Confirm", out var reason))
        {
            return reason == ShouldProcessReason.WhatIf;
        }
        if (inWindow)
        {
            Start(local, $"Made the folder '{remote}' (or it was there).", token => CurrentSession.CreateFolderAsync(remote, existingOk: true, token));
        }
        else
        {
            Call(token => CurrentSession.CreateFolderAsync(remote, existingOk: true, token));
        }
        return true;
    }

    /// <summary>
    /// Where a local folder named <paramref name="name"/> goes, as Copy-Item -Recurse decides it: into -Destination when
    /// that is a remote folder, the root, or ends with '/'; as -Destination itself when nothing is there; a file there is
    /// a NotADirectory error.
    /// </summary>
    private (string Root, string Why) RemoteRoot(string name)
    {
        string destination = Destination ?? string.Empty;
        string normalized = RemotePath.Normalize(destination);
        if (normalized.Length == 0)
        {
            return (RemotePath.ToDisplay(RemotePath.Combine(normalized, name)), "into the root");
        }
        string trimmed = destination.TrimEnd();
        if (trimmed.EndsWith("/", StringComparison.Ordinal) || trimmed.EndsWith("\\", StringComparison.Ordinal))
        {
            return (RemotePath.ToDisplay(RemotePath.Combine(normalized, name)), $"the destination ends with '/', so into the folder '{RemotePath.ToDisplay(normalized)}' (created when missing)");
        }
        FtpItem? existing;
        try
        {
            existing = Call(token => CurrentSession.GetItemAsync(normalized, token));
        }
        catch (FtpException e) when (e.Status == FtpStatus.NotFound)
        {
            existing = null;
        }
        return existing switch
        {
            null => (RemotePath.ToDisplay(normalized), $"'{RemotePath.ToDisplay(normalized)}' does not exist, so the folder is copied as that name"),
            { IsDirectory: true } => (RemotePath.ToDisplay(RemotePath.Combine(normalized, name)), $"'{RemotePath.ToDisplay(normalized)}' is a folder, so into it"),
            _ => throw new FtpException(FtpStatus.NotADirectory, $"'{RemotePath.ToDisplay(normalized)}' is a file: a folder goes into a folder or as a new name.") { RemotePath = destination },
        };
    }
}
