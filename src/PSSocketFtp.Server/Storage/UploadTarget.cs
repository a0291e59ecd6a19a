using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server;

/// <summary>
/// Where an upload goes, the same for every store: the request's path, or the request's file name inside it when the
/// path names a folder (the root, a path ending in a separator, or a folder that exists, which only the store can tell).
/// </summary>
internal static class UploadTarget
{
    /// <summary>Whether <paramref name="request"/>'s path names a folder whatever the store holds.</summary>
    public static bool NamesFolder(UploadRequest request, string normalized) =>
        normalized.Length == 0 || request.Path.EndsWith('/') || request.Path.EndsWith('\\');

    /// <summary>The target inside <paramref name="folder"/>: the request's file name, checked as a name.</summary>
    public static string Into(UploadRequest request, string folder)
    {
        if (string.IsNullOrEmpty(request.FileName))
        {
            throw new FtpException(FtpStatus.InvalidPath, $"An upload into the folder '{RemotePath.ToDisplay(folder)}' needs a file name.") { RemotePath = folder };
        }
        RemotePath.CheckName(request.FileName);
        return RemotePath.Combine(folder, request.FileName);
    }
}
