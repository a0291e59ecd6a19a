using System.Runtime.InteropServices;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server;

/// <summary>Hashing for the DOWNLOAD and UPLOAD handlers.</summary>
internal static class TransferHashInPlace
{
    /// <summary>Hashes bytes where they lie: an array-backed segment (the pipe's usual case) goes to the hash without a copy.</summary>
    public static void AppendInPlace(this TransferHash hash, ReadOnlyMemory<byte> bytes)
    {
        if (MemoryMarshal.TryGetArray(bytes, out var array))
        {
            hash.Append(array.Array!, array.Offset, array.Count);
        }
        else
        {
            hash.Append(bytes.Span);
        }
    }
}
