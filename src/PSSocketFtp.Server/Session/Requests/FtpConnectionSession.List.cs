using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server;

/// <summary>LIST: the entries in batches of ENTRIES frames, then LISTEND with their count.</summary>
internal sealed partial class FtpConnectionSession
{
    private async Task ListAsync(uint stream, ListRequest request)
    {
        var batch = new EntriesBatch(stream);
        await foreach (var entry in _store.ListAsync(request.Path, request.Recursive, _aborted))
        {
            if (!batch.TryAdd(entry))
            {
                await _frames.SendAsync(batch.Frame);
                batch.Next();
            }
        }
        if (!batch.IsEmpty)
        {
            await _frames.SendAsync(batch.Frame);
        }
        await _frames.SendAsync(stream, new ListEndAnswer(batch.Count));
    }
}
