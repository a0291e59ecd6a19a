using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server;

/// <summary>RENAME: a file or folder moved in one atomic step, answered with its entry at the target as STAT answers.</summary>
internal sealed partial class FtpConnectionSession
{
    private async Task RenameAsync(uint stream, RenameRequest request)
    {
        var entry = await _store.RenameAsync(request.Path, request.Target, request.Replace, _aborted);
        SessionLog.Moved(_logger, ClientText.OfPath(RemotePath.Normalize(request.Path)), ClientText.OfPath(entry.Path), _peer);
        await _frames.SendAsync(stream, new StatAnswer(entry));
    }
}
