using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Protocol.Tests.Messages;

/// <summary>What the message tests compare: whole frames in both protocol versions, and the fields a receiver parses.</summary>
internal static class Wire
{
    private static readonly byte[] Versions = [ProtocolConstants.MinVersion, ProtocolConstants.ChecksumVersion];

    /// <summary>A hash value of the size of an XXH128, for the messages that carry one.</summary>
    public static readonly byte[] Digest = Enumerable.Range(1, 16).Select(i => (byte)i).ToArray();

    /// <summary>
    /// Asserts that <paramref name="message"/> goes on the wire as exactly the frame that <paramref name="current"/>
    /// (built field by field, as the place each test names built it before it used the message type) is, in version 1 and
    /// in version 2: the wire stays byte for byte what it was.
    /// </summary>
    public static void AssertSameFrame(FieldWriter current, ControlMessage message, uint streamId)
    {
        foreach (byte version in Versions)
        {
            Assert.Equal(current.ToFrame(version).ToArray(), message.ToWriter(streamId).ToFrame(version).ToArray());
        }
    }

    /// <summary>The fields of <paramref name="message"/> as a receiver parses them off the wire.</summary>
    public static FieldSet Fields(ControlMessage message) => Fields(message.ToWriter(1));

    /// <summary>The fields of a hand-made frame as a receiver parses them off the wire.</summary>
    public static FieldSet Fields(FieldWriter frame) => FieldSet.Parse(frame.ToFrame(ProtocolConstants.MinVersion).Slice(ProtocolConstants.HeaderSize).ToArray());

    /// <summary>Reads a request or answer that should break a rule, and returns the status it was refused with.</summary>
    public static FtpException Refusal(Action read) => Assert.IsType<FtpException>(Record.Exception(read));
}
