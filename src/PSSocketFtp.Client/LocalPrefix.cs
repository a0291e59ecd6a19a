using PSSocketFtp.Protocol;

namespace PSSocketFtp.Client;

/// <summary>The part of a local file the other side already holds, which a resumed transfer's hash still covers.</summary>
internal static class LocalPrefix
{
    /// <summary>Adds the first <paramref name="count"/> bytes of <paramref name="source"/> to the hash; local reading counts as progress.</summary>
    public static async Task HashAsync(FtpConnection connection, Stream source, long count, TransferHash hash, CancellationToken cancellationToken)
    {
        if (count == 0)
        {
            return;
        }
        var buffer = new byte[(int)Math.Min(count, ProtocolConstants.DataChunkSize)];
        while (count > 0)
        {
            int read = await source.ReadAsync(buffer, 0, (int)Math.Min(buffer.Length, count), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException("The local file ended before the part to resume from.");
            }
            hash.Append(buffer, 0, read);
            count -= read;
            connection.Touch();
        }
    }
}
