using FsCheck;
using FsCheck.Xunit;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Protocol.Tests.Messages;

[Properties(Arbitrary = [typeof(MessageArbitraries), typeof(ProtocolArbitraries)], MaxTest = 300)]
public class MessageProperties
{
    [Property]
    public void UploadRequest_AnyValues_SameFrameAsTheClientAndReadBack(WireText path, WireText fileName, long length, byte conflict, UploadId id, bool retry, bool sha)
    {
        var mode = (ConflictMode)(conflict % 3);
        var algorithm = sha ? FtpHashAlgorithm.Sha256 : FtpHashAlgorithm.XxHash128;
        length &= long.MaxValue;
        // As Client/UploadTransfer.cs TryAsync (then FtpSession.cs UploadCoreAsync) built it by hand before it used this type.
        var current = FieldWriter.ForFrame(FrameType.Upload, 1)
            .Add(FieldTag.Path, path.Value)
            .Add(FieldTag.FileName, fileName.Value)
            .Add(FieldTag.Length, length)
            .Add(FieldTag.Conflict, (byte)mode)
            .Add(FieldTag.UploadId, id.Value)
            .Add(FieldTag.HashAlgorithm, TransferHash.WireName(algorithm));
        if (retry)
        {
            current.Add(FieldTag.Retry, true);
        }
        var request = new UploadRequest(path.Value, fileName.Value, length, mode, id.Value, retry, algorithm);

        Wire.AssertSameFrame(current, request, 1);
        Assert.Equal(request, UploadRequest.Read(Wire.Fields(request)));
    }

    [Property]
    public void DownloadRequest_AnyValues_ReadBack(WireText path, bool hashed, long offset, long? length, long? time)
    {
        var request = new DownloadRequest(path.Value, hashed ? FtpHashAlgorithm.XxHash128 : null, offset & long.MaxValue, length, time);

        Assert.Equal(request, DownloadRequest.Read(Wire.Fields(request)));
    }

    [Property]
    public void ReadyAnswer_AnyDownloadOffer_ReadBack(long offset, long length, long time)
    {
        length &= long.MaxValue;
        var ready = new ReadyAnswer((offset & long.MaxValue) % (length + 1), length, time);

        Assert.Equal(ready, ReadyAnswer.ReadForDownload(Wire.Fields(ready), held: ready.Offset));
    }

    [Property]
    public void UploadAnswer_AnyResult_ReadBack(WireText path, long? length, bool renamed, byte[] hash)
    {
        var answer = new UploadAnswer(path.Value, length, renamed, "XXH128", hash);

        var read = UploadAnswer.Read(Wire.Fields(answer));

        Assert.Equal(answer with { Hash = null }, read with { Hash = null });
        Assert.Equal(hash, read.Hash);
    }

    [Property]
    public void ErrorAnswer_AnyShortMessage_ReadBack(ushort status, WireText message, WireText path, bool withPath)
    {
        string text = message.Value.Length > ErrorAnswer.MaxMessageChars ? message.Value.Substring(0, ErrorAnswer.MaxMessageChars) : message.Value;
        var error = new ErrorAnswer((FtpStatus)status, text, withPath ? path.Value : null);

        Assert.Equal(error, ErrorAnswer.Read(Wire.Fields(error)));
    }

    /// <summary>Whatever fields a client sends, reading a request gives a value or a refusal the server knows how to answer.</summary>
    [Property]
    public void Requests_AnyFields_ReadOrRefusedWithAProtocolStatus(RawField[] fields)
    {
        var set = Wire.Fields(RawFrame(FrameType.Upload, fields));

        foreach (var read in new Action[]
        {
            () => ListRequest.Read(set), () => StatRequest.Read(set), () => DeleteRequest.Read(set), () => MakeFolderRequest.Read(set), () => RenameRequest.Read(set), () => HashRequest.Read(set),
            () => UploadRequest.Read(set), () => DownloadRequest.Read(set), () => AuthRequest.Read(set),
        })
        {
            Assert.True(Record.Exception(read) is null or FtpException { Status: FtpStatus.MalformedFrame or FtpStatus.HashMismatch });
        }
    }

    /// <summary>Whatever fields a server sends, reading an answer gives a value or says the frame is malformed.</summary>
    [Property]
    public void Answers_AnyFields_ReadOrMalformed(RawField[] fields)
    {
        var set = Wire.Fields(RawFrame(FrameType.Ok, fields));

        foreach (var read in new Action[]
        {
            () => PingAnswer.Read(set), () => ListEndAnswer.Read(set), () => StatAnswer.Read(set), () => HashAnswer.Read(set, FtpHashAlgorithm.XxHash128),
            () => UploadAnswer.Read(set), () => ErrorAnswer.Read(set), () => ReadyAnswer.ReadForUpload(set, 100), () => ReadyAnswer.ReadForDownload(set, 100),
            () => EntriesAnswer.Read(set), () => EndTrailer.Read(set),
        })
        {
            Assert.True(Record.Exception(read) is null or FtpException { Status: FtpStatus.MalformedFrame });
        }
    }

    private static FieldWriter RawFrame(FrameType type, RawField[] fields)
    {
        var frame = FieldWriter.ForFrame(type, 1);
        foreach (var field in fields.Take(20))
        {
            // Only the tags the messages read (0x14 standing for Entry), so that the interesting values come up often.
            int tag = field.Tag % 0x15;
            frame.Add(tag == 0x14 ? FieldTag.Entry : (FieldTag)tag, field.Value);
        }
        return frame;
    }
}
