using System.Net;
using Amazon.S3;
using Amazon.S3.Model;

namespace PSSocketFtp.Server;

/// <summary>
/// An object as a read-only seekable stream: one ranged GET from the position to the end, read as it is consumed, and a
/// new one after a seek (a resumed download seeks once, HASH of a resume reads from 0). Every GET asks for the ETag the
/// object had when it was opened, so a file replaced meanwhile fails the read instead of mixing two versions.
/// </summary>
internal sealed class S3ReadStream(IAmazonS3 s3, string bucket, string key, string etag, long length) : Stream
{
    private GetObjectResponse? _response;
    private Stream? _body;
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        long target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };
        ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));
        if (target != _position)
        {
            // The open GET reads from the old position: dropped, the next read asks for the new range.
            CloseBody();
            _position = target;
        }
        return _position;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.Length == 0 || _position >= length)
        {
            return 0;
        }
        if (_body is null)
        {
            try
            {
                _response = await s3.GetObjectAsync(new GetObjectRequest
                {
                    BucketName = bucket,
                    Key = key,
                    ByteRange = new ByteRange(_position, length - 1),
                    EtagToMatch = etag,
                }, cancellationToken).ConfigureAwait(false);
            }
            catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.PreconditionFailed or HttpStatusCode.NotFound)
            {
                throw new IOException($"'{key}' was replaced or deleted while it was being read.", e);
            }
            _body = _response.ResponseStream;
        }
        int read = await _body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (read == 0)
        {
            // The GET ended before the length the object had: it became shorter, which the download reports.
            CloseBody();
            return 0;
        }
        _position += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            CloseBody();
        }
        base.Dispose(disposing);
    }

    private void CloseBody()
    {
        _body?.Dispose();
        _response?.Dispose();
        _body = null;
        _response = null;
    }
}
