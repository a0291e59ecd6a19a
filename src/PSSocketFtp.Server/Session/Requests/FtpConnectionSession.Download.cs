using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server;

/// <summary>DOWNLOAD: READY, the file (or its rest, on a resume) in DATA frames, then END with the hash when asked.</summary>
internal sealed partial class FtpConnectionSession
{
    private async Task DownloadAsync(uint stream, DownloadRequest request)
    {
        await using var download = await _store.OpenReadAsync(request.Path, _aborted);
        var entry = download.Entry;
        // A resume only when the client's start still belongs to this very file.
        long offset = request.ResumeOffset(entry);
        var algorithm = request.HashAlgorithm;
        using var hash = algorithm is { } a ? TransferHash.Create(a) : null;
        if (offset > 0)
        {
            if (hash is null)
            {
                download.Content.Seek(offset, SeekOrigin.Begin);
            }
            else
            {
                // The trailer covers the whole file: the part the client holds is read here, not sent.
                await hash.AppendAsync(download.Content, offset, _aborted);
            }
        }
        await _frames.SendAsync(stream, new ReadyAnswer(offset, entry.Length, entry.LastWriteTimeUtc.ToUnixTimeMilliseconds()));
        long remaining = entry.Length - offset;
        while (remaining > 0)
        {
            int chunk = (int)Math.Min(ProtocolConstants.DataChunkSize, remaining);
            // The file is read straight into the outgoing pipe behind room for the header: no copy, and no allocation a chunk.
            await _frames.SendDataAsync(stream, chunk, (download, hash, entry.Path), static async (state, body) =>
            {
                int read = await ReadFullyAsync(state.download.Content, body);
                if (read < body.Length)
                {
                    throw new IOException($"'{RemotePath.ToDisplay(state.Path)}' became shorter while it was being sent.");
                }
                state.hash?.AppendInPlace(body);
            });
            remaining -= chunk;
        }
        await _frames.SendAsync(stream, hash is null ? EndTrailer.Empty : new EndTrailer(TransferHash.WireName(hash.Algorithm), hash.GetHash()));
        SessionLog.Sent(_logger, ClientText.OfPath(entry.Path), entry.Length - offset, _peer);
    }

    private static async ValueTask<int> ReadFullyAsync(Stream source, Memory<byte> destination)
    {
        int total = 0;
        while (total < destination.Length)
        {
            int read = await source.ReadAsync(destination.Slice(total));
            if (read == 0)
            {
                break;
            }
            total += read;
        }
        return total;
    }
}
