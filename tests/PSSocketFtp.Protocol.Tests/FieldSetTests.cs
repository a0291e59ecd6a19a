using System.Buffers.Binary;

namespace PSSocketFtp.Protocol.Tests;

public class FieldSetTests
{
    [Fact]
    public void Parse_EveryValueType_RoundTrips()
    {
        var fields = Parse(FieldWriter.ForFields()
            .Add(FieldTag.Path, "dir/naïve ☃.txt")
            .Add(FieldTag.Length, long.MaxValue)
            .Add(FieldTag.Offset, -1L)
            .Add(FieldTag.Status, (ushort)FtpStatus.LengthMismatch)
            .Add(FieldTag.Kind, (byte)ItemKind.Directory)
            .Add(FieldTag.Recursive, true)
            .Add(FieldTag.Renamed, false)
            .Add(FieldTag.Message, string.Empty));

        Assert.Equal("dir/naïve ☃.txt", fields.GetString(FieldTag.Path));
        Assert.Equal(long.MaxValue, fields.GetInt64(FieldTag.Length));
        Assert.Equal(-1L, fields.TryGetInt64(FieldTag.Offset));
        Assert.Equal((ushort)22, fields.TryGetUInt16(FieldTag.Status));
        Assert.Equal((byte)1, fields.TryGetByte(FieldTag.Kind));
        Assert.True(fields.GetBoolean(FieldTag.Recursive));
        Assert.False(fields.GetBoolean(FieldTag.Renamed));
        Assert.Equal(string.Empty, fields.GetString(FieldTag.Message));
    }

    [Fact]
    public void TryGetBytes_HashField_RoundTripsRawBytes()
    {
        var hash = new byte[] { 0x00, 0xFF, 0x10, 0x80 };

        var fields = Parse(FieldWriter.ForFields().Add(FieldTag.Hash, hash));

        Assert.Equal(hash, fields.TryGetBytes(FieldTag.Hash));
        Assert.Null(fields.TryGetBytes(FieldTag.Path));
    }

    [Fact]
    public void Parse_EmptyPayload_HasNoFields()
    {
        var fields = FieldSet.Parse(ReadOnlyMemory<byte>.Empty);

        Assert.False(fields.Contains(FieldTag.Path));
        Assert.Null(fields.TryGetString(FieldTag.Path));
        Assert.Null(fields.TryGetInt64(FieldTag.Length));
        Assert.False(fields.GetBoolean(FieldTag.Recursive));
        Assert.Empty(fields.GetNested(FieldTag.Entry));
    }

    [Fact]
    public void GetString_MissingRequiredField_ThrowsMalformedFrame()
    {
        AssertMalformed(() => FieldSet.Empty.GetString(FieldTag.Path));
        AssertMalformed(() => FieldSet.Empty.GetInt64(FieldTag.Length));
    }

    [Fact]
    public void Parse_UnknownTags_AreSkipped()
    {
        // A later version's fields (tags this version does not know) sit between known ones.
        var fields = Parse(FieldWriter.ForFields()
            .Add((FieldTag)0x7E, "from the future")
            .Add(FieldTag.Path, "a")
            .Add((FieldTag)0xFF, 12345L)
            .Add(FieldTag.Length, 3L));

        Assert.Equal("a", fields.GetString(FieldTag.Path));
        Assert.Equal(3, fields.GetInt64(FieldTag.Length));
    }

    [Fact]
    public void Parse_DuplicateTag_LastOneWins()
    {
        var fields = Parse(FieldWriter.ForFields()
            .Add(FieldTag.Path, "first")
            .Add(FieldTag.Length, 1L)
            .Add(FieldTag.Path, "second")
            .Add(FieldTag.Length, 2L));

        Assert.Equal("second", fields.GetString(FieldTag.Path));
        Assert.Equal(2, fields.GetInt64(FieldTag.Length));
    }

    [Theory]
    [InlineData(new byte[] { 0x01 })]
    [InlineData(new byte[] { 0x01, 0x00 })]
    [InlineData(new byte[] { 0x01, 0x00, 0x00, 0x0C })]
    public void Parse_TruncatedFieldHeader_ThrowsMalformedFrame(byte[] payload)
    {
        AssertMalformed(() => FieldSet.Parse(payload));
    }

    [Theory]
    [InlineData(new byte[] { 0x01, 0x00, 0x01 })]
    [InlineData(new byte[] { 0x01, 0x00, 0x05, (byte)'a', (byte)'b' })]
    [InlineData(new byte[] { 0x01, 0xFF, 0xFF, (byte)'a' })]
    public void Parse_FieldPastEnd_ThrowsMalformedFrame(byte[] payload)
    {
        AssertMalformed(() => FieldSet.Parse(payload));
    }

    [Fact]
    public void TryGetFixed_WrongSize_ThrowsMalformedFrame()
    {
        var fields = Parse(FieldWriter.ForFields()
            .Add(FieldTag.Length, (ushort)1) // 2 bytes where 8 belong
            .Add(FieldTag.Status, (byte)1) // 1 byte where 2 belong
            .Add(FieldTag.Kind, 0L) // 8 bytes where 1 belongs
            .Add(FieldTag.Recursive, "")); // empty where 1 byte belongs

        AssertMalformed(() => fields.TryGetInt64(FieldTag.Length));
        AssertMalformed(() => fields.TryGetUInt16(FieldTag.Status));
        AssertMalformed(() => fields.TryGetByte(FieldTag.Kind));
        AssertMalformed(() => fields.GetBoolean(FieldTag.Recursive));
    }

    [Fact]
    public void GetBoolean_ValueNotZeroOrOne_ThrowsMalformedFrame()
    {
        var fields = Parse(FieldWriter.ForFields().Add(FieldTag.Recursive, (byte)2));

        AssertMalformed(() => fields.GetBoolean(FieldTag.Recursive));
    }

    [Theory]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xC3 })] // cut-off two-byte sequence
    [InlineData(new byte[] { 0xC0, 0xAF })] // overlong '/'
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })] // encoded surrogate
    [InlineData(new byte[] { (byte)'a', 0x80, (byte)'b' })]
    public void GetString_InvalidUtf8_ThrowsMalformedFrame(byte[] value)
    {
        var payload = new byte[3 + value.Length];
        payload[0] = (byte)FieldTag.Path;
        BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(1), (ushort)value.Length);
        value.CopyTo(payload, 3);
        var fields = FieldSet.Parse(payload);

        AssertMalformed(() => fields.TryGetString(FieldTag.Path));
    }

    [Fact]
    public void GetNested_SeveralEntries_ReadBackInOrder()
    {
        var time = new DateTimeOffset(2024, 5, 6, 7, 8, 9, 123, TimeSpan.Zero);
        var entries = new[]
        {
            new RemoteEntry("docs", ItemKind.Directory, 0, time),
            new RemoteEntry("docs/a.txt", ItemKind.File, 42, time.AddDays(-1)),
            new RemoteEntry("docs/ü.bin", ItemKind.File, long.MaxValue, DateTimeOffset.UnixEpoch),
        };
        var writer = FieldWriter.ForFields().Add(FieldTag.Count, 3L);
        foreach (var entry in entries)
        {
            writer.Add(FieldTag.Entry, entry.WriteTo(FieldWriter.ForFields()));
        }

        var fields = Parse(writer);
        var read = fields.GetNested(FieldTag.Entry).Select(RemoteEntry.ReadFrom).ToList();

        Assert.Equal(entries, read);
        Assert.Equal(3, fields.GetInt64(FieldTag.Count));
    }

    [Fact]
    public void GetNested_EntryWithFieldPastEnd_ThrowsMalformedFrame()
    {
        // The outer field is well formed; its nested list is not.
        var fields = Parse(FieldWriter.ForFields().Add(FieldTag.Entry, "\u0001\u0000\u0009ab"));

        AssertMalformed(() => fields.GetNested(FieldTag.Entry).ToList());
    }

    [Fact]
    public void ReadFrom_IncompleteOrBadEntry_ThrowsMalformedFrame()
    {
        var noKind = FieldWriter.ForFields().Add(FieldTag.Path, "a").Add(FieldTag.Length, 1L);
        var noLength = FieldWriter.ForFields().Add(FieldTag.Path, "a").Add(FieldTag.Kind, (byte)ItemKind.File);
        var noPath = FieldWriter.ForFields().Add(FieldTag.Kind, (byte)ItemKind.File).Add(FieldTag.Length, 1L);
        var negative = FieldWriter.ForFields().Add(FieldTag.Path, "a").Add(FieldTag.Kind, (byte)ItemKind.File).Add(FieldTag.Length, -1L);

        foreach (var writer in new[] { noKind, noLength, noPath, negative })
        {
            AssertMalformed(() => RemoteEntry.ReadFrom(Parse(writer)));
        }
    }

    [Fact]
    public void ReadFrom_UnknownKind_ThrowsMalformedFrame()
    {
        var writer = FieldWriter.ForFields().Add(FieldTag.Path, "a").Add(FieldTag.Kind, (byte)2).Add(FieldTag.Length, 0L);

        AssertMalformed(() => RemoteEntry.ReadFrom(Parse(writer)));
    }

    [Fact]
    public void ToFrame_Fields_HeaderDescribesPayload()
    {
        var frame = FieldWriter.ForFrame(FrameType.Stat, 9).Add(FieldTag.Path, "abc").ToFrame(1);

        var header = FrameHeader.Read(frame.Span);
        Assert.Equal(FrameType.Stat, header.Type);
        Assert.Equal(9u, header.StreamId);
        Assert.Equal(6, header.PayloadLength);
        Assert.Equal("abc", FieldSet.Parse(frame.Slice(ProtocolConstants.HeaderSize)).GetString(FieldTag.Path));
    }

    [Fact]
    public void ToFrame_PayloadOverControlLimit_ThrowsFrameTooLarge()
    {
        var big = new string('x', 40_000);
        var writer = FieldWriter.ForFrame(FrameType.Ok, 1).Add(FieldTag.Message, big).Add(FieldTag.Message, big);

        Assert.Equal(FtpStatus.FrameTooLarge, Assert.Throws<FtpException>(() => writer.ToFrame(ProtocolConstants.Version)).Status);
    }

    [Fact]
    public void Add_ValueOver65535Bytes_ThrowsFrameTooLarge()
    {
        var writer = FieldWriter.ForFields();

        Assert.Equal(FtpStatus.FrameTooLarge, Assert.Throws<FtpException>(() => writer.Add(FieldTag.Message, new string('x', 65536))).Status);
    }

    [Fact]
    public void Parse_SeededRandomPayloads_OnlyEverThrowFtpException()
    {
        // Whatever a hostile peer sends, the parser and every getter either succeed or say MalformedFrame-ish: never crash otherwise.
        var random = new Random(20240607);
        var tags = Enum.GetValues<FieldTag>().Append((FieldTag)0x7F).ToArray();
        for (int i = 0; i < 5000; i++)
        {
            var payload = new byte[random.Next(0, 64)];
            random.NextBytes(payload);
            if (i % 2 == 0 && payload.Length > 3)
            {
                // Half the time make the first field header plausible so that getters, not just Parse, get exercised.
                payload[0] = (byte)tags[random.Next(tags.Length)];
                BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(1), (ushort)random.Next(0, payload.Length - 2));
            }
            try
            {
                var fields = FieldSet.Parse(payload);
                foreach (var tag in tags)
                {
                    Swallow(() => fields.TryGetString(tag));
                    Swallow(() => fields.TryGetInt64(tag));
                    Swallow(() => fields.TryGetUInt16(tag));
                    Swallow(() => fields.TryGetByte(tag));
                    Swallow(() => fields.GetBoolean(tag));
                    Swallow(() => fields.GetNested(tag).Select(RemoteEntry.ReadFrom).ToList());
                }
            }
            catch (FtpException)
            {
            }
        }

        static void Swallow(Func<object?> read)
        {
            try
            {
                read();
            }
            catch (FtpException)
            {
            }
        }
    }

    private static FieldSet Parse(FieldWriter writer) => FieldSet.Parse(writer.Fields.ToArray());

    private static void AssertMalformed(Func<object?> action) =>
        Assert.Equal(FtpStatus.MalformedFrame, Assert.Throws<FtpException>(action).Status);
}
