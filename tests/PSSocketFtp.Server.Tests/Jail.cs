using System.Runtime.InteropServices;
using System.Security.Cryptography;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server.Tests;

/// <summary>Every request a client can aim at a path, and what the server answered.</summary>
internal enum Operation
{
    List,
    ListRecursive,
    Stat,
    // Before the deletes, so that the links a jail test plants are still there when a folder is made through them.
    MakeFolder,
    MakeFolderExistingOk,
    // The path as the item a RENAME moves, and as where it moves an item of the root's to.
    RenameFrom,
    RenameTo,
    Delete,
    DeleteRecursive,
    Download,
    Hash,
    UploadPath,
    UploadFileName,
    UploadOverwrite,
}

/// <summary>The outcome of one request: the final frame and whatever content came with it.</summary>
internal sealed record Outcome(FrameType Type, FtpStatus Status, string Message, List<RemoteEntry> Listed, byte[] Body)
{
    public bool Refused => Type == FrameType.Error;

    public override string ToString() => $"{Type} {Status} {Message}";
}

/// <summary>
/// A sentinel tree beside the root (files, a folder, content and times) and the tools to prove a test left it alone:
/// nothing there read into an answer, written, created or deleted.
/// </summary>
internal sealed class Jail
{
    public const string SecretContent = "OUTSIDE-SECRET";

    private Jail(string outside) => Outside = outside;

    public string Outside { get; }

    public static Operation[] AllOperations { get; } = Enum.GetValues<Operation>();

    /// <summary>The file of the root's that <see cref="Operation.RenameTo"/> moves.</summary>
    public const string RenameSource = "jail-rename-source.txt";

    public static Jail Create(TestServer server)
    {
        string outside = Path.Join(server.Sandbox, "outside");
        Directory.CreateDirectory(Path.Join(outside, "deep", "sub"));
        File.WriteAllText(Path.Join(outside, "secret.txt"), SecretContent);
        File.WriteAllText(Path.Join(outside, "f.txt"), SecretContent);
        File.WriteAllText(Path.Join(outside, "victim.txt"), SecretContent);
        File.WriteAllText(Path.Join(outside, "deep", "outside-only.txt"), SecretContent);
        File.WriteAllText(Path.Join(outside, "deep", "sub", "f.txt"), SecretContent);
        // Times in the past, so a write now would show even on a coarse clock.
        foreach (var item in Directory.EnumerateFileSystemEntries(outside, "*", SearchOption.AllDirectories).Append(outside))
        {
            File.SetLastWriteTimeUtc(item, new DateTime(2001, 2, 3, 4, 5, 6, DateTimeKind.Utc));
        }
        return new Jail(outside);
    }

    /// <summary>Names, kinds, lengths, write times and content hashes of everything in the sentinel tree.</summary>
    public SortedDictionary<string, string> Snapshot()
    {
        var snapshot = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["."] = "dir " + Directory.GetLastWriteTimeUtc(Outside).Ticks,
        };
        foreach (var item in new DirectoryInfo(Outside).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(Outside, item.FullName);
            snapshot[relative] = item switch
            {
                FileInfo file => $"file {file.Length} {file.LastWriteTimeUtc.Ticks} {Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file.FullName)))}",
                _ => $"dir {item.LastWriteTimeUtc.Ticks}",
            };
        }
        return snapshot;
    }

    public void AssertUntouched(SortedDictionary<string, string> before, string what)
    {
        var after = Snapshot();
        Assert.True(before.SequenceEqual(after), $"{what}: the tree outside the root changed.\nBefore: {string.Join(", ", before)}\nAfter: {string.Join(", ", after)}");
    }

    /// <summary>Sends one request at <paramref name="path"/> and reads its whole answer.</summary>
    public static async Task<Outcome> RunAsync(RawClient client, Operation operation, string path)
    {
        switch (operation)
        {
            case Operation.UploadPath:
            case Operation.UploadFileName:
            case Operation.UploadOverwrite:
            {
                var content = "planted"u8.ToArray();
                var answer = operation switch
                {
                    Operation.UploadPath => await client.UploadAsync(path, "planted.txt", content),
                    Operation.UploadFileName => await client.UploadAsync("", path, content),
                    _ => await client.UploadAsync(path, null, content, ConflictMode.Overwrite),
                };
                return ToOutcome(answer, [], []);
            }
            case Operation.Download:
            {
                var first = await client.RequestAsync(new DownloadRequest(path));
                if (first.Type != FrameType.Ready)
                {
                    return ToOutcome(first, [], []);
                }
                var body = new MemoryStream();
                while (true)
                {
                    var frame = await client.ReadFrameAsync();
                    if (frame.Type != FrameType.Data)
                    {
                        return ToOutcome(frame, [], body.ToArray());
                    }
                    body.Write(frame.Payload);
                }
            }
            case Operation.List:
            case Operation.ListRecursive:
            {
                var entries = new List<RemoteEntry>();
                var answer = await client.RequestAsync(new ListRequest(path, operation == Operation.ListRecursive));
                while (answer.Type == FrameType.Entries)
                {
                    entries.AddRange(answer.Fields.GetNested(FieldTag.Entry).Select(RemoteEntry.ReadFrom));
                    answer = await client.ReadFrameAsync();
                }
                return ToOutcome(answer, entries, []);
            }
            case Operation.RenameTo:
            {
                // An item that exists, so that only the target can refuse the move; taken away again if it did not move.
                await client.UploadAsync(RenameSource, null, "rename me"u8.ToArray(), ConflictMode.Overwrite);
                var answer = await client.RequestAsync(new RenameRequest(RenameSource, path));
                await client.RequestAsync(new DeleteRequest(RenameSource));
                return ToOutcome(answer, answer.Type == FrameType.Ok ? [RemoteEntry.ReadFrom(answer.Fields)] : [], []);
            }
            default:
            {
                ControlMessage request = operation switch
                {
                    Operation.Stat => new StatRequest(path),
                    Operation.Hash => new HashRequest(path),
                    Operation.MakeFolder or Operation.MakeFolderExistingOk => new MakeFolderRequest(path, operation == Operation.MakeFolderExistingOk),
                    Operation.RenameFrom => new RenameRequest(path, "renamed-by-jail-test"),
                    _ => new DeleteRequest(path, operation == Operation.DeleteRecursive),
                };
                var answer = await client.RequestAsync(request);
                var listed = request.Type is FrameType.Stat or FrameType.MakeFolder or FrameType.Rename && answer.Type == FrameType.Ok ? [RemoteEntry.ReadFrom(answer.Fields)] : new List<RemoteEntry>();
                return ToOutcome(answer, listed, []);
            }
        }
    }

    /// <summary>The outcome carries nothing from outside: no secret bytes, no name that only exists there.</summary>
    public static void AssertNothingLeaked(Outcome outcome, string what)
    {
        Assert.False(outcome.Body.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(SecretContent)) >= 0, $"{what}: outside content was served.");
        Assert.DoesNotContain(outcome.Listed, e => e.Path.Contains("outside-only", StringComparison.Ordinal) || e.Length == SecretContent.Length);
    }

    /// <summary>A hard link, through link(2).</summary>
    public static void HardLink(string existing, string link)
    {
        if (link_(existing, link) != 0)
        {
            throw new IOException($"link failed (errno {Marshal.GetLastPInvokeError()}).");
        }
    }

    /// <summary>rename(2): atomic, and moves a link as a link.</summary>
    public static void Rename(string from, string to)
    {
        if (rename_(from, to) != 0)
        {
            throw new IOException($"rename failed (errno {Marshal.GetLastPInvokeError()}).");
        }
    }

    private static Outcome ToOutcome(Frame answer, List<RemoteEntry> listed, byte[] body) => new(
        answer.Type,
        answer.Type == FrameType.Error ? answer.Status : FtpStatus.Ok,
        answer.Type == FrameType.Error ? answer.Fields.TryGetString(FieldTag.Message) ?? "" : "",
        listed,
        body);

    [DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int rename_([MarshalAs(UnmanagedType.LPUTF8Str)] string from, [MarshalAs(UnmanagedType.LPUTF8Str)] string to);

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int link_([MarshalAs(UnmanagedType.LPUTF8Str)] string existing, [MarshalAs(UnmanagedType.LPUTF8Str)] string link);
}
