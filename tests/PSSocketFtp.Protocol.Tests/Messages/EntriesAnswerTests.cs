using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Protocol.Tests.Messages;

public class EntriesAnswerTests
{
    private static readonly RemoteEntry[] Entries =
    [
        new("d", ItemKind.Directory, 0, DateTimeOffset.FromUnixTimeMilliseconds(1_600_000_000_000)),
        new("d/f.txt", ItemKind.File, 12, DateTimeOffset.FromUnixTimeMilliseconds(1_600_000_000_001)),
    ];

    [Fact]
    public void ToWriter_AsTheServerBuildsABatch_SameFrame()
    {
        // As Server/Session/Requests/FtpConnectionSession.List.cs ListAsync built it by hand before it used this type.
        var current = FieldWriter.ForFrame(FrameType.Entries, 6);
        foreach (var entry in Entries)
        {
            current.Add(FieldTag.Entry, entry.WriteTo(FieldWriter.ForFields()));
        }

        Wire.AssertSameFrame(current, new EntriesAnswer(Entries), 6);
    }

    [Fact]
    public void Read_Written_SameEntriesInOrder()
    {
        Assert.Equal(Entries, EntriesAnswer.Read(Wire.Fields(new EntriesAnswer(Entries))).Entries);
    }

    [Fact]
    public void Read_AnEntryWithAnUnknownKind_MalformedFrame()
    {
        var bad = FieldWriter.ForFields().Add(FieldTag.Path, "x").Add(FieldTag.Kind, (byte)9).Add(FieldTag.Length, 0L);
        var fields = Wire.Fields(FieldWriter.ForFrame(FrameType.Entries, 1).Add(FieldTag.Entry, bad));

        Assert.Equal(FtpStatus.MalformedFrame, Wire.Refusal(() => EntriesAnswer.Read(fields)).Status);
    }
}
