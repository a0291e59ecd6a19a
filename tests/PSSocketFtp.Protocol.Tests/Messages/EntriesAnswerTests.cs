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

    // ReadEntries reads each entry in one pass instead of through a FieldSet: it must read what RemoteEntry.ReadFrom reads
    // of the same fields, and refuse what it refuses with the same message.
    public static TheoryData<string, byte[]> OddEntries => new()
    {
        { "repeated fields: the last wins", Fields(w => w.Add(FieldTag.Path, "a").Add(FieldTag.Kind, (byte)0).Add(FieldTag.Length, 1L).Add(FieldTag.Path, "b").Add(FieldTag.Length, 2L)) },
        { "unknown tags between", Fields(w => w.Add((FieldTag)0x7E, "zz").Add(FieldTag.Path, "a").Add(FieldTag.Kind, (byte)1).Add((FieldTag)0x7D, 5L).Add(FieldTag.Length, 0L)) },
        { "no time", Fields(w => w.Add(FieldTag.Path, "a").Add(FieldTag.Kind, (byte)0).Add(FieldTag.Length, 3L)) },
        { "no kind", Fields(w => w.Add(FieldTag.Path, "a").Add(FieldTag.Length, 3L)) },
        { "no length", Fields(w => w.Add(FieldTag.Path, "a").Add(FieldTag.Kind, (byte)0)) },
        { "no path", Fields(w => w.Add(FieldTag.Kind, (byte)0).Add(FieldTag.Length, 3L)) },
        { "negative length", Fields(w => w.Add(FieldTag.Path, "a").Add(FieldTag.Kind, (byte)0).Add(FieldTag.Length, -1L)) },
        { "a kind of two bytes", Fields(w => w.Add(FieldTag.Path, "a").Add(FieldTag.Kind, "ab").Add(FieldTag.Length, 3L)) },
        { "a time of one byte", Fields(w => w.Add(FieldTag.Path, "a").Add(FieldTag.Kind, (byte)0).Add(FieldTag.Length, 3L).Add(FieldTag.LastWriteTime, (byte)1)) },
        { "a path that is not UTF-8", [.. Fields(w => w.Add(FieldTag.Kind, (byte)0).Add(FieldTag.Length, 3L)), (byte)FieldTag.Path, 0, 1, 0xFF] },
        { "a field cut short", [.. Fields(w => w.Add(FieldTag.Path, "a").Add(FieldTag.Kind, (byte)0).Add(FieldTag.Length, 3L)), (byte)FieldTag.Path, 0, 9, (byte)'x'] },
        { "a header cut short", [.. Fields(w => w.Add(FieldTag.Path, "a").Add(FieldTag.Kind, (byte)0).Add(FieldTag.Length, 3L)), (byte)FieldTag.Path, 0] },
    };

    [Theory]
    [MemberData(nameof(OddEntries))]
    public void Read_OddEntry_AsReadFromReadsIt(string why, byte[] entry)
    {
        var fields = Wire.Fields(FieldWriter.ForFrame(FrameType.Entries, 1).Add(FieldTag.Entry, entry));
        RemoteEntry? expected = null;
        FtpException? refused = null;
        try
        {
            expected = RemoteEntry.ReadFrom(FieldSet.Parse(entry));
        }
        catch (FtpException e)
        {
            refused = e;
        }

        if (refused is null)
        {
            Assert.Equal(expected, Assert.Single(EntriesAnswer.Read(fields).Entries));
        }
        else
        {
            var refusal = Wire.Refusal(() => EntriesAnswer.Read(fields));
            Assert.True(refused.Status == refusal.Status && refused.Message == refusal.Message, $"{why}: {refusal.Message}, not {refused.Message}");
        }
    }

    private static byte[] Fields(Func<FieldWriter, FieldWriter> add) => add(FieldWriter.ForFields()).Fields.ToArray();
}
