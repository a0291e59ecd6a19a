using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;
using Xunit.Abstractions;

namespace PSSocketFtp.Server.Tests;

/// <summary>
/// The served folder changed under a running server, as an operator would change it: emptied (the hidden <c>.psftp</c>
/// with it), removed and made again, removed for good, its server folder made unusable. The server recovers what it can
/// as a restart would, and says plainly what it cannot, never "'/' does not exist".
/// </summary>
public class StorageRecoveryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Upload_RootEmptiedWithServerFolder_ServerFolderRecreatedAndUploadsStored()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();
        Assert.Equal(FrameType.Ok, (await client.UploadAsync("", "before.txt", "before"u8.ToArray())).Type);
        Assert.Equal(FrameType.Ok, (await client.ResumableUploadAsync("kept.bin", "kept"u8.ToArray(), "before-id")).Answer.Type);

        // find root -mindepth 1 -delete
        Empty(server.Root);

        var plain = await client.UploadAsync("", "after.txt", "after"u8.ToArray());
        var (_, resumable) = await client.ResumableUploadAsync("resumable.bin", "resumable"u8.ToArray(), "after-id");
        var folder = await client.UploadAsync("new/", "deep.txt", "deep"u8.ToArray());
        var retry = await RetryAsync(client, "resumable.bin", "resumable"u8.ToArray(), "after-id");
        var forgotten = await RetryAsync(client, "kept.bin", "kept"u8.ToArray(), "before-id");

        Assert.True(plain.Type == FrameType.Ok, plain.ToString());
        Assert.True(resumable.Type == FrameType.Ok, resumable.ToString());
        Assert.True(folder.Type == FrameType.Ok, folder.ToString());
        Assert.Equal("after", File.ReadAllText(server.FullPath("after.txt")));
        Assert.Equal("deep", File.ReadAllText(server.FullPath("new/deep.txt")));
        // The journal is written again, and the record of an upload made since answers its retry.
        Assert.Equal(FrameType.Ok, retry.Type);
        Assert.Contains("after-id", File.ReadAllText(Path.Join(server.Root, ".psftp", "uploads.log")));
        // What the operator deleted is forgotten, as a restart would forget it: the retry is stored again.
        Assert.Equal(FrameType.Ready, forgotten.Type);
        Assert.Equal(["after.txt", "kept.bin", "new", "resumable.bin"], (await ExchangeTests.ListAsync(client, "", recursive: false)).Select(e => e.Path));
    }

    [Fact]
    public async Task Upload_RootRemovedAndMadeAgain_ServerFolderRecreatedAndUploadStored()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();

        Directory.Delete(server.Root, recursive: true);
        Directory.CreateDirectory(server.Root);
        var answer = await client.UploadAsync("", "again.txt", "again"u8.ToArray());

        Assert.True(answer.Type == FrameType.Ok, answer.ToString());
        Assert.Equal("again", File.ReadAllText(server.FullPath("again.txt")));
        Assert.True(Directory.Exists(server.PartialFolder));
    }

    [Fact]
    public async Task EveryOperation_RootRemoved_InternalErrorSayingTheRootIsMissing()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();

        Directory.Delete(server.Root, recursive: true);
        var outcomes = new List<(Operation, Outcome)>();
        foreach (var operation in Jail.AllOperations)
        {
            outcomes.Add((operation, await Jail.RunAsync(client, operation, operation == Operation.UploadFileName ? "file.txt" : "some/file.txt")));
        }
        // The root itself, where the answer used to be "'/' does not exist".
        foreach (var operation in new[] { Operation.List, Operation.Stat, Operation.UploadPath })
        {
            outcomes.Add((operation, await Jail.RunAsync(client, operation, "")));
        }

        Assert.All(outcomes, o =>
        {
            Assert.True(o.Item2.Refused && o.Item2.Status == FtpStatus.InternalError, $"{o.Item1}: {o.Item2}");
            Assert.Contains("root folder is missing", o.Item2.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(server.Sandbox, o.Item2.Message);
        });
        // An error in the log, with the exception whose cause names the folder (LocalFolderStoreTests checks the cause).
        await server.Log.WaitForAsync(m => m.StartsWith("Error:", StringComparison.Ordinal) && m.Contains("failed", StringComparison.Ordinal));
        // A root that is gone may be an unmounted disk: the server does not make a new one in its place.
        Assert.False(Directory.Exists(server.Root));

        Directory.CreateDirectory(server.Root);
        Assert.Equal(FrameType.Ok, (await client.UploadAsync("", "back.txt", "back"u8.ToArray())).Type);
    }

    [Fact]
    public async Task UploadAndDelete_ServerFolderReplacedByFile_InternalErrorNamingTheServerFolder()
    {
        await using var server = await TestServer.StartAsync();
        Directory.CreateDirectory(server.FullPath("folder/inner"));
        using var client = await server.ConnectAsync();
        string state = Path.Join(server.Root, ".psftp");

        Directory.Delete(state, recursive: true);
        File.WriteAllText(state, "an operator's file");
        var upload = await Jail.RunAsync(client, Operation.UploadPath, "");
        var resumable = (await client.ResumableUploadAsync("r.bin", "r"u8.ToArray(), "r-id")).Answer;
        var delete = await Jail.RunAsync(client, Operation.DeleteRecursive, "folder");

        foreach (var (what, status, message) in new[] { ("upload", upload.Status, upload.Message), ("resumable", resumable.Status, resumable.Fields.TryGetString(FieldTag.Message)), ("delete", delete.Status, delete.Message) })
        {
            Assert.True(status == FtpStatus.InternalError, $"{what}: {status} {message}");
            Assert.Contains("its own folder (.psftp in its root)", message, StringComparison.Ordinal);
            Assert.DoesNotContain(server.Sandbox, message!);
        }
        await server.Log.WaitForAsync(m => m.StartsWith("Error:", StringComparison.Ordinal) && m.Contains("failed", StringComparison.Ordinal));
        Assert.Equal("an operator's file", File.ReadAllText(state));
        Assert.True(Directory.Exists(server.FullPath("folder/inner")));

        File.Delete(state);
        Assert.Equal(FrameType.Ok, (await client.UploadAsync("", "fixed.txt", "fixed"u8.ToArray())).Type);
        Assert.Equal(FrameType.Ok, (await Jail.RunAsync(client, Operation.DeleteRecursive, "folder")).Type);
    }

    [Fact]
    public async Task Upload_PartialFolderUnwritable_InternalErrorNamingTheServerFolder()
    {
        await using var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();
        using (var unwritable = Unwritable.TryMake(server.PartialFolder, output))
        {
            if (unwritable is null)
            {
                return;
            }

            var upload = await client.UploadAsync("", "u.txt", "u"u8.ToArray());
            var (_, resumable) = await client.ResumableUploadAsync("r.bin", "r"u8.ToArray(), "r-id");

            foreach (var answer in new[] { upload, resumable })
            {
                Assert.True(answer.Status == FtpStatus.InternalError, answer.ToString());
                Assert.Contains("its own folder (.psftp in its root)", answer.Fields.GetString(FieldTag.Message), StringComparison.Ordinal);
            }
            await server.Log.WaitForAsync(m => m.StartsWith("Error:", StringComparison.Ordinal) && m.Contains("failed", StringComparison.Ordinal));
        }

        Assert.Equal(FrameType.Ok, (await client.UploadAsync("", "u.txt", "u"u8.ToArray())).Type);
    }

    [Fact]
    public async Task Sweep_RootRemoved_WarnsThatTheRootIsMissingAndKeepsServing()
    {
        var time = new ObservedTimeProvider();
        await using var server = await TestServer.StartAsync(time);
        await time.WaitForArmedAsync(TimeSpan.FromHours(1));

        Directory.Delete(server.Root, recursive: true);
        time.Fake.Advance(TimeSpan.FromHours(1));

        await server.Log.WaitForAsync(m => m.StartsWith("Warning: could not sweep", StringComparison.Ordinal) && m.Contains($"root folder is missing. The server's operator must restore it. The root folder '{server.Root}'", StringComparison.Ordinal));
        // Connected after the clock moved: an hour is past any idle limit.
        using var client = await server.ConnectAsync();
        Assert.Equal(FrameType.Ok, (await client.RequestAsync(EmptyMessage.Ping)).Type);
        Directory.CreateDirectory(server.Root);
        time.Fake.Advance(TimeSpan.FromHours(1));
        await WaitUntilAsync(() => Directory.Exists(server.PartialFolder));
    }

    /// <summary>Everything inside the folder, hidden entries too, the folder itself kept.</summary>
    private static void Empty(string folder)
    {
        foreach (var entry in new DirectoryInfo(folder).EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0 }))
        {
            if (entry is DirectoryInfo directory)
            {
                directory.Delete(recursive: true);
            }
            else
            {
                entry.Delete();
            }
        }
    }

    /// <summary>An upload sent again with Retry=1, as a client whose answer was lost sends it; returns the first answer.</summary>
    private static async Task<Frame> RetryAsync(RawClient client, string fileName, byte[] content, string uploadId)
    {
        uint id = client.NextStreamId();
        await client.SendAsync(id, RawClient.ResumableUploadRequest(fileName, content.Length, uploadId, retry: true));
        var answer = await client.ReadFrameAsync();
        if (answer.Type == FrameType.Ready)
        {
            await client.SendBodyAsync(id, content);
            await client.SendEndAsync(id, "XXH128", System.IO.Hashing.XxHash128.Hash(content));
            await client.ReadFrameAsync();
        }
        return answer;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var cancel = new CancellationTokenSource(RawClient.Timeout);
        while (!condition())
        {
            await Task.Yield();
            cancel.Token.ThrowIfCancellationRequested();
        }
    }
}
