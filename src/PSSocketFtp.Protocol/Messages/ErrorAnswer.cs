using System.Text;

namespace PSSocketFtp.Protocol.Messages;

/// <summary>
/// ERROR: the request failed (final for its stream); on stream 0, the connection is closing. The text goes out as given:
/// the reference server escapes what a client chose (its <c>ClientText</c>) before it builds one.
/// </summary>
/// <param name="Status">What went wrong.</param>
/// <param name="Message">For people; cut to <see cref="MaxMessageChars"/> on the wire.</param>
/// <param name="Path">The remote path the error is about, as the request named it, or null; left off the wire when longer than a path may be.</param>
public sealed record ErrorAnswer(FtpStatus Status, string Message, string? Path = null) : ControlMessage
{
    /// <summary>The longest message sent, in UTF-16 characters; a longer one is cut and ends with "…".</summary>
    public const int MaxMessageChars = 1024;

    /// <inheritdoc />
    public override FrameType Type => FrameType.Error;

    /// <inheritdoc />
    public override FieldWriter WriteTo(FieldWriter writer)
    {
        writer.Add(FieldTag.Status, (ushort)Status).Add(FieldTag.Message, Cut(Message));
        // A hostile path can be long; it is echoed only when it fits the protocol's own limit.
        return Path is not null && Encoding.UTF8.GetByteCount(Path) <= ProtocolConstants.MaxPathBytes ? writer.Add(FieldTag.Path, Path) : writer;
    }

    /// <summary>Reads an ERROR as the client does: a missing status is <see cref="FtpStatus.InternalError"/>, a missing message names the status.</summary>
    /// <exception cref="FtpException">With <see cref="FtpStatus.MalformedFrame"/>: a field is malformed.</exception>
    public static ErrorAnswer Read(FieldSet fields)
    {
        var status = (FtpStatus)(fields.TryGetUInt16(FieldTag.Status) ?? (ushort)FtpStatus.InternalError);
        string message = fields.TryGetString(FieldTag.Message) ?? $"The server answered {status}.";
        return new ErrorAnswer(status, message, fields.TryGetString(FieldTag.Path));
    }

    /// <summary>The error as the client reports it, its path in the form users see.</summary>
    public FtpException ToException() => new(Status, Message) { RemotePath = Path is null ? null : RemotePath.ToDisplay(Path) };

    private static string Cut(string message)
    {
        if (message.Length <= MaxMessageChars)
        {
            return message;
        }
        // A cut between the halves of a surrogate pair would leave half a character, which has no UTF-8 form at all.
        int keep = char.IsHighSurrogate(message[MaxMessageChars - 1]) ? MaxMessageChars - 1 : MaxMessageChars;
        return message.Substring(0, keep) + "…";
    }
}
