using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server;

/// <summary>HASH: the hash of a whole file, computed here.</summary>
internal sealed partial class FtpConnectionSession
{
    private async Task HashAsync(uint stream, HashRequest request)
    {
        await using var file = await _store.OpenReadAsync(request.Path, _aborted);
        byte[] hash = await TransferHash.ComputeAsync(request.HashAlgorithm, file.Content, file.Entry.Length, _aborted);
        await _frames.SendAsync(stream, new HashAnswer(file.Entry.Path, file.Entry.Length, TransferHash.WireName(request.HashAlgorithm), hash));
    }
}
