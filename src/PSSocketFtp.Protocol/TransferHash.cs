using System.IO.Hashing;
using System.Security.Cryptography;

namespace PSSocketFtp.Protocol;

/// <summary>The hash algorithms a transfer can be checked with.</summary>
public enum FtpHashAlgorithm
{
    /// <summary>XXH128: non-cryptographic, faster than the wire; the default.</summary>
    XxHash128,
    /// <summary>SHA-256: cryptographic, for when a deliberate collision matters.</summary>
    Sha256,
}

/// <summary>An incremental hash of a transfer's bytes, computed while they stream.</summary>
public abstract class TransferHash : IDisposable
{
    /// <summary>The algorithm's name on the wire.</summary>
    public static string WireName(FtpHashAlgorithm algorithm) => algorithm switch
    {
        FtpHashAlgorithm.XxHash128 => "XXH128",
        FtpHashAlgorithm.Sha256 => "SHA256",
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, null),
    };

    /// <summary>The algorithm a wire name stands for.</summary>
    /// <exception cref="FtpException">With <see cref="FtpStatus.MalformedFrame"/>: the name is not known.</exception>
    public static FtpHashAlgorithm Parse(string wireName) => wireName switch
    {
        "XXH128" => FtpHashAlgorithm.XxHash128,
        "SHA256" => FtpHashAlgorithm.Sha256,
        _ => throw new FtpException(FtpStatus.MalformedFrame, $"'{wireName}' is not a hash algorithm this side knows (XXH128, SHA256)."),
    };

    /// <summary>Starts a hash.</summary>
    public static TransferHash Create(FtpHashAlgorithm algorithm) => algorithm switch
    {
        FtpHashAlgorithm.XxHash128 => new XxHash128Hash(),
        FtpHashAlgorithm.Sha256 => new Sha256Hash(),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, null),
    };

    /// <summary>Hashes a whole stream from its current position; used for a file's existing prefix and for HASH requests.</summary>
    public static async Task<byte[]> ComputeAsync(FtpHashAlgorithm algorithm, Stream source, long length, CancellationToken cancellationToken)
    {
        using var hash = Create(algorithm);
        await hash.AppendAsync(source, length, cancellationToken).ConfigureAwait(false);
        return hash.GetHash();
    }

    /// <summary>The algorithm.</summary>
    public abstract FtpHashAlgorithm Algorithm { get; }

    /// <summary>Adds bytes.</summary>
    public abstract void Append(byte[] buffer, int offset, int count);

    /// <summary>Adds bytes.</summary>
    public abstract void Append(ReadOnlySpan<byte> bytes);

    /// <summary>Adds <paramref name="length"/> bytes read from <paramref name="source"/>.</summary>
    /// <exception cref="EndOfStreamException">The stream ends early.</exception>
    public async Task AppendAsync(Stream source, long length, CancellationToken cancellationToken)
    {
        var buffer = new byte[Math.Min(length, 1024 * 1024)];
        while (length > 0)
        {
            int read = await source.ReadAsync(buffer, 0, (int)Math.Min(buffer.Length, length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                throw new EndOfStreamException("The file ended before the expected length was hashed.");
            }
            Append(buffer, 0, read);
            length -= read;
        }
    }

    /// <summary>The hash of everything appended.</summary>
    public abstract byte[] GetHash();

    /// <summary>A hash as users see it: upper-case hex, like Get-FileHash.</summary>
    public static string ToHex(byte[] hash) => BitConverter.ToString(hash).Replace("-", string.Empty);

    /// <inheritdoc />
    public virtual void Dispose()
    {
    }

    private sealed class XxHash128Hash : TransferHash
    {
        private readonly XxHash128 _hash = new();

        public override FtpHashAlgorithm Algorithm => FtpHashAlgorithm.XxHash128;

        public override void Append(byte[] buffer, int offset, int count) => _hash.Append(buffer.AsSpan(offset, count));

        public override void Append(ReadOnlySpan<byte> bytes) => _hash.Append(bytes);

        public override byte[] GetHash() => _hash.GetCurrentHash();
    }

    private sealed class Sha256Hash : TransferHash
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public override FtpHashAlgorithm Algorithm => FtpHashAlgorithm.Sha256;

        public override void Append(byte[] buffer, int offset, int count) => _hash.AppendData(buffer, offset, count);

        public override void Append(ReadOnlySpan<byte> bytes) => _hash.AppendData(bytes.ToArray());

        public override byte[] GetHash() => _hash.GetHashAndReset();

        public override void Dispose() => _hash.Dispose();
    }
}
