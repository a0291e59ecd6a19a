using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server;

/// <summary>STAT: one entry.</summary>
internal sealed partial class FtpConnectionSession
{
    private async Task StatAsync(uint stream, StatRequest request)
    {
        var entry = await _store.StatAsync(request.Path, _aborted);
        await _frames.SendAsync(stream, new StatAnswer(entry));
    }
}
