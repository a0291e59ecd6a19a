using System.Management.Automation;
using PSSocketFtp.Client;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Commands;

/// <summary>A cmdlet that works through a session: the one given by -Session, or the runspace's default session.</summary>
public abstract class FtpSessionCmdlet : FtpCmdlet
{
    private FtpSession? _session;

    /// <summary>The session to use; the default session (marked by Get-FtpSession) when omitted.</summary>
    [Parameter(HelpMessage = "The session to use (from Connect-FtpSocket or Get-FtpSession); the default session when omitted.")]
    [ValidateNotNull]
    public FtpSession? Session { get; set; }

    /// <summary>The session this command works through, known once processing begins.</summary>
    private protected FtpSession CurrentSession => _session ?? throw new InvalidOperationException("The session is resolved in BeginProcessing.");

    /// <summary>Picks the session; no session, or a closed one, stops the command before any item.</summary>
    protected sealed override void BeginProcessing()
    {
        var session = Session ?? RequireDefaultSession();
        if (!session.IsOpen)
        {
            throw Terminate("SessionClosed", SessionClosedMessage(session), session);
        }
        _session = session;
        WatchRetries(session);
        WriteVerbose(Session is null ? $"Using the default session, to {session}." : $"Using the session to {session} given by -Session.");
    }

    /// <summary>
    /// Runs <paramref name="action"/> for each remote path: a path as given, or, when its last segment has wildcards
    /// and <paramref name="literal"/> is not set, each item of its folder whose name matches.
    /// </summary>
    private protected void ForEachRemote(IEnumerable<string> paths, bool literal, Action<string> action) =>
        ForEach(paths, path => literal || !WildcardPattern.ContainsWildcardCharacters(path) ? new[] { path } : Match(path, recurse: false).Select(item => item.FullName), action);

    /// <summary>
    /// Moves the remote item <paramref name="source"/> to <paramref name="target"/> (both normalized) once confirmed, for
    /// Rename-FtpItem and Move-FtpItem, and outputs it there with <paramref name="passThru"/>.
    /// </summary>
    private protected void MoveRemote(string source, string target, bool replace, bool passThru, string action)
    {
        if (ShouldProcess(RemotePath.ToDisplay(source), action))
        {
            var item = Call(token => CurrentSession.RenameAsync(source, target, replace, token));
            WriteVerbose($"Moved '{RemotePath.ToDisplay(source)}' to '{item.FullName}'.");
            if (passThru)
            {
                WriteObject(item);
            }
        }
    }

    /// <summary>
    /// The path of an item of a recursive listing of the folder <paramref name="prefix"/> (normalized), relative to it,
    /// with '/' between segments. Normalizing refuses '..', and the prefix check anything else outside the folder: a
    /// listing can never place a file outside the target folder.
    /// </summary>
    private protected static string RelativeTo(string prefix, FtpItem item)
    {
        string path = RemotePath.Normalize(item.FullName);
        if (prefix.Length > 0 && !path.StartsWith(prefix + "/", StringComparison.Ordinal))
        {
            throw new FtpException(FtpStatus.MalformedFrame, $"The server listed '{item.FullName}' as inside '{RemotePath.ToDisplay(prefix)}'.");
        }
        return prefix.Length == 0 ? path : path.Substring(prefix.Length + 1);
    }

    /// <summary>
    /// The items of the folder of <paramref name="path"/> (everything below it with <paramref name="recurse"/>) whose names
    /// match the wildcard pattern in its last segment. None is no error, as with Get-ChildItem *.xyz (a script's wildcard
    /// that finds nothing to do is not a failure); a folder that does not exist is ItemNotFound, as there.
    /// </summary>
    private protected IReadOnlyList<FtpItem> Match(string path, bool recurse)
    {
        var (folder, name, isMatch) = Matcher(path);
        var listed = Call(token => CurrentSession.ListAsync(folder, recurse, token));
        var matches = listed.Where(isMatch).ToList();
        WriteVerbose(MatchedMessage(folder, recurse, name, matches.Count, listed.Count));
        return matches;
    }

    /// <summary>
    /// Writes the items that <see cref="Match"/> would return as the listing's batches arrive, without holding the listing.
    /// </summary>
    private protected void WriteMatches(string path, bool recurse)
    {
        var (folder, name, isMatch) = Matcher(path);
        long matched = 0;
        long listed = CallInBatches<FtpItem, long>((onBatch, token) => CurrentSession.ListInBatchesAsync(folder, recurse, onBatch, token), batch =>
        {
            foreach (var item in batch)
            {
                if (isMatch(item))
                {
                    matched++;
                    WriteObject(item);
                }
            }
        });
        WriteVerbose(MatchedMessage(folder, recurse, name, matched, listed));
    }

    /// <summary>The folder to list for a wildcard path, its last segment, and which listed items match it.</summary>
    private static (string Folder, string Name, Func<FtpItem, bool> IsMatch) Matcher(string path)
    {
        string trimmed = path.TrimEnd('/', '\\');
        int slash = trimmed.LastIndexOfAny(new[] { '/', '\\' });
        string folder = slash < 0 ? string.Empty : trimmed.Substring(0, slash);
        string name = trimmed.Substring(slash + 1);
        var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
        // LIST of a file lists the file itself, which is nothing below it: 'file.txt/*' matches nothing, as with Get-ChildItem.
        string self = RemotePath.ToDisplay(RemotePath.Normalize(folder));
        return (folder, name, item => item.FullName != self && pattern.IsMatch(item.Name));
    }

    private static string MatchedMessage(string folder, bool recurse, string name, long matched, long listed) =>
        $"Listed '{(folder.Length == 0 ? "/" : folder)}'{(recurse ? " and everything below it" : "")}: {matched} of {listed} items match '{name}'.";
}
