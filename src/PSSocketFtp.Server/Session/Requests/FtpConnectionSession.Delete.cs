using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server;

/// <summary>DELETE: a file, or a folder (recursively when asked).</summary>
internal sealed partial class FtpConnectionSession
{
    private async Task DeleteAsync(uint stream, DeleteRequest request)
    {
        await _store.DeleteAsync(request.Path, request.Recursive, _aborted);
        SessionLog.Deleted(_logger, ClientText.OfPath(request.Path), _peer);
        await _frames.SendAsync(stream, EmptyMessage.Ok);
    }
}
