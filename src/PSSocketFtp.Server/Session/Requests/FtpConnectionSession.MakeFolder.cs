using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server;

/// <summary>MKDIR: a folder and its missing parents, answered with its entry as STAT answers.</summary>
internal sealed partial class FtpConnectionSession
{
    private async Task MakeFolderAsync(uint stream, MakeFolderRequest request)
    {
        var entry = await _store.CreateFolderAsync(request.Path, request.ExistingOk, _aborted);
        SessionLog.MadeFolder(_logger, ClientText.OfPath(entry.Path), _peer);
        await _frames.SendAsync(stream, new StatAnswer(entry));
    }
}
