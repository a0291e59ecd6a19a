using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server;

/// <summary>
/// Remote paths as object keys: <c>prefix/path</c> for a file, <c>prefix/path/</c> for a folder (its marker object and
/// the prefix of its content). Paths are normalized by <see cref="RemotePath"/> first, as for the local store, so no key
/// leaves the prefix and none reaches the server's own keys under <c>prefix/.psftp/</c>: the name a path may not start with.
/// </summary>
internal sealed class S3Keys
{
    /// <summary>Keys under <paramref name="prefix"/> (normalized as a remote path; empty for the bucket's top).</summary>
    public S3Keys(string? prefix)
    {
        string normalized = NormalizePrefix(prefix);
        Base = normalized.Length == 0 ? string.Empty : normalized + "/";
        State = Base + RemotePath.ReservedRootName + "/";
        Partials = State + "partial/";
        Uploads = State + "uploads/";
        Committed = State + "done/";
        Live = State + "live/";
    }

    /// <summary>What every key of the tree starts with: the prefix and a slash, or nothing.</summary>
    public string Base { get; }

    /// <summary>The server's own keys, which no remote path reaches: <c>prefix/.psftp/</c>.</summary>
    public string State { get; }

    /// <summary>Where multipart uploads collect their parts until commit.</summary>
    public string Partials { get; }

    /// <summary>Where each resumable upload in progress keeps its record (<see cref="S3UploadState"/>), one object per id.</summary>
    public string Uploads { get; }

    /// <summary>Where each committed resumable upload keeps what it ended as, for a retry whose answer was lost.</summary>
    public string Committed { get; }

    /// <summary>Where a long upload marks that it is still receiving (<see cref="S3LiveUploads"/>), one object per partial.</summary>
    public string Live { get; }

    /// <summary>The prefix as a normalized remote path; a hostile one is an <see cref="ArgumentException"/> (a setting, not a request).</summary>
    public static string NormalizePrefix(string? prefix)
    {
        try
        {
            return RemotePath.Normalize(prefix);
        }
        catch (FtpException e)
        {
            throw new ArgumentException($"The S3 prefix '{prefix}' is not usable: {e.Message}", e);
        }
    }

    /// <summary>A normalized path's file key.</summary>
    public string File(string normalized) => Base + normalized;

    /// <summary>A normalized path's folder key (its marker, and what its content starts with); the root's is <see cref="Base"/>.</summary>
    public string Folder(string normalized) => normalized.Length == 0 ? Base : Base + normalized + "/";

    /// <summary>The remote path of a key under <see cref="Base"/>, a folder's without its trailing slash.</summary>
    public string PathOf(string key) => key.Substring(Base.Length).TrimEnd('/');

    /// <summary>Whether a key or common prefix found in the root's listing is the server's own folder.</summary>
    public bool IsState(string key)
    {
        var rest = key.AsSpan(Base.Length);
        int slash = rest.IndexOf('/');
        return (slash < 0 ? rest : rest[..slash]).Equals(RemotePath.ReservedRootName, StringComparison.OrdinalIgnoreCase);
    }
}
