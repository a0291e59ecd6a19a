using System.Collections;
using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Language;
using PSSocketFtp.Client;

namespace PSSocketFtp.Commands;

/// <summary>
/// Completes remote paths from the server, as the FileSystem provider completes local ones: the folder part of the
/// word is listed, names starting with the rest (in any case) are offered, folders first and ending with '/'. It runs
/// on the prompt's pipeline thread, so it never waits long, never asks the server twice for one folder in a row of Tab
/// presses, and offers nothing rather than an error.
/// </summary>
public sealed class RemotePathCompleter : IArgumentCompleter
{
    // Long enough for a listing on a working connection, short enough that a dead one does not freeze the prompt.
    private static readonly TimeSpan ListTimeout = TimeSpan.FromSeconds(1.5);
    // Covers a burst of Tab presses through the same folder; short enough that a new file shows up the next time.
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(5);
    private static readonly char[] Separators = { '/', '\\' };
    // What would end or change an unquoted argument: whitespace is checked apart.
    private static readonly char[] NeedQuotes = { '\'', '"', '`', '$', '(', ')', '{', '}', '[', ']', ';', ',', '&', '|', '@', '#', '<', '>', '‘', '’', '“', '”' };
    // Keyed by session id and folder; shared by every runspace, as one session may be used in several.
    private static readonly Dictionary<string, Listing> Cache = new();

    /// <summary>The completions of <paramref name="wordToComplete"/>; none without a session or when the listing fails.</summary>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var session = (fakeBoundParameters["Session"] is { } given ? PSObject.AsPSObject(given).BaseObject as FtpSession : null) ?? DefaultSession.Get();
        if (session is null || !session.IsOpen)
        {
            return Array.Empty<CompletionResult>();
        }
        bool quoted = wordToComplete.Length > 0 && IsQuote(wordToComplete[0]);
        string typed = quoted ? wordToComplete.Substring(1).TrimEnd('\'', '"', '‘', '’', '“', '”') : wordToComplete;
        int slash = typed.LastIndexOfAny(Separators);
        // The folder as typed, separator included, so that each completion keeps the user's leading '/' or its absence.
        string folder = typed.Substring(0, slash + 1);
        string start = typed.Substring(slash + 1);
        return List(session, folder)
            .Where(item => item.Name.StartsWith(start, StringComparison.OrdinalIgnoreCase))
            .OrderBy(item => item.IsDirectory ? 0 : 1)
            .ThenBy(item => item.Name, StringComparer.OrdinalIgnoreCase)
            .Select(item =>
            {
                string text = folder + item.Name + (item.IsDirectory ? "/" : "");
                return new CompletionResult(
                    quoted || NeedsQuotes(text) ? "'" + text.Replace("'", "''") + "'" : text,
                    item.Name + (item.IsDirectory ? "/" : ""),
                    item.IsDirectory ? CompletionResultType.ProviderContainer : CompletionResultType.ProviderItem,
                    item.FullName);
            })
            .ToList();
    }

    private static IReadOnlyList<FtpItem> List(FtpSession session, string folder)
    {
        string key = session.Id.ToString("N") + "|" + folder.Replace('\\', '/').Trim('/');
        long now = Stopwatch.GetTimestamp();
        lock (Cache)
        {
            foreach (string stale in Cache.Where(entry => entry.Value.Expired(now)).Select(entry => entry.Key).ToList())
            {
                Cache.Remove(stale);
            }
            if (Cache.TryGetValue(key, out var cached))
            {
                return cached.Items;
            }
        }
        // A failure is kept too: pressing Tab again at once would only wait for the same timeout or refusal.
        var items = ListWithin(session, folder);
        lock (Cache)
        {
            Cache[key] = new Listing(items, now + (long)(CacheLifetime.TotalSeconds * Stopwatch.Frequency));
        }
        return items;
    }

    private static IReadOnlyList<FtpItem> ListWithin(FtpSession session, string folder)
    {
        using var timeout = new CancellationTokenSource(ListTimeout);
        try
        {
            var listing = session.ListAsync(folder, recurse: false, timeout.Token);
            // The token ends the call at the timeout; the extra second only bounds a call that is slow to notice it, so
            // that the prompt comes back even then.
            return listing.Wait(ListTimeout + TimeSpan.FromSeconds(1)) ? listing.Result : Array.Empty<FtpItem>();
        }
        catch (Exception)
        {
            // Not found, refused, timed out, the connection gone: completion offers nothing and the prompt stays clean.
            return Array.Empty<FtpItem>();
        }
    }

    private static bool IsQuote(char c) => c is '\'' or '"' or '‘' or '’' or '“' or '”';

    private static bool NeedsQuotes(string text) => text.Any(char.IsWhiteSpace) || text.IndexOfAny(NeedQuotes) >= 0;

    /// <summary>A folder's items and when they stop being fresh, in <see cref="Stopwatch"/> ticks.</summary>
    private sealed class Listing
    {
        private readonly long _expires;

        public Listing(IReadOnlyList<FtpItem> items, long expires)
        {
            Items = items;
            _expires = expires;
        }

        public IReadOnlyList<FtpItem> Items { get; }

        public bool Expired(long now) => now >= _expires;
    }
}
