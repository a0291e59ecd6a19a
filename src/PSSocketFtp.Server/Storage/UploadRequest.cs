using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server;

/// <summary>What an UPLOAD request asks for.</summary>
/// <param name="Path">The destination as sent: a folder (empty, ending with '/', or existing) or the file's own path.</param>
/// <param name="FileName">The leaf name used when <paramref name="Path"/> is a folder.</param>
/// <param name="Length">The announced body length.</param>
/// <param name="Conflict">What to do when the name exists.</param>
/// <param name="UploadId">The client's id of a resumable upload (already checked against the protocol's rule), or null.</param>
/// <param name="HashAlgorithm">The wire name of the hash the body is checked with, or null; part of what a resume must match.</param>
internal sealed record UploadRequest(string Path, string? FileName, long Length, ConflictMode Conflict, string? UploadId = null, string? HashAlgorithm = null)
{
    /// <summary>Whether an id follows the protocol's rule: 1-64 characters of <c>A-Z a-z 0-9 - _</c> (so it is a safe file name too).</summary>
    public static bool IsValidUploadId(string id) =>
        id.Length is >= 1 and <= 64 && id.All(c => c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_');
}
