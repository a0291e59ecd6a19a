using System.Diagnostics;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;
using Xunit.Abstractions;

namespace PSSocketFtp.Server.Tests;

/// <summary>
/// Time of check against time of use: a thread swaps a folder inside the root for a link to a folder outside and back,
/// as fast as it can, while a client reads, lists, stats, uploads into, makes folders in, moves items out of and into, and deletes below it. Linux only: elsewhere the
/// store checks paths just before use and does not promise this (docs/security.md).
/// </summary>
public class JailRaceTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RaceTime = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task EveryOperation_FolderSwappedForOutsideLinkMeanwhile_NothingOutsideReadWrittenOrDeleted()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        await using var server = await TestServer.StartAsync();
        var jail = Jail.Create(server);
        string swing = server.FullPath("swing");
        string parking = server.FullPath("parking");
        string parkedFolder = Path.Join(parking, "real");
        string parkedLink = Path.Join(parking, "link");
        Directory.CreateDirectory(parking);
        Directory.CreateSymbolicLink(parkedLink, Path.Join(jail.Outside, "deep"));
        Refill(swing);
        var before = jail.Snapshot();
        using var stop = new CancellationTokenSource();
        long swaps = 0;
        var swapper = Task.Factory.StartNew(
            () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    Jail.Rename(swing, parkedFolder);
                    PutBack(parkedLink, swing);
                    Thread.Yield();
                    Jail.Rename(swing, parkedLink);
                    Refill(parkedFolder);
                    PutBack(parkedFolder, swing);
                    swaps++;
                }
            },
            TaskCreationOptions.LongRunning);
        using var client = await server.ConnectAsync();
        var operations = new (Operation Operation, string Path)[]
        {
            (Operation.Download, "swing/sub/f.txt"),
            (Operation.Hash, "swing/sub/f.txt"),
            (Operation.Stat, "swing/outside-only.txt"),
            (Operation.List, "swing"),
            (Operation.ListRecursive, ""),
            (Operation.UploadOverwrite, "swing/sub/f.txt"),
            (Operation.UploadPath, "swing/sub/"),
            (Operation.Delete, "swing/sub/f.txt"),
            (Operation.Delete, "swing/outside-only.txt"),
            (Operation.MakeFolder, "swing/sub/made"),
            (Operation.RenameFrom, "swing/sub/f.txt"),
            (Operation.RenameTo, "swing/sub/moved.txt"),
            (Operation.DeleteRecursive, "swing/sub"),
        };
        int done = 0, refused = 0;
        var clock = Stopwatch.StartNew();
        try
        {
            while (clock.Elapsed < RaceTime && !swapper.IsCompleted)
            {
                var (operation, path) = operations[done % operations.Length];
                var outcome = await Jail.RunAsync(client, operation, path);
                Jail.AssertNothingLeaked(outcome, $"{operation} {path}");
                if (operation == Operation.Stat)
                {
                    Assert.True(outcome.Refused, $"STAT saw the outside file: {outcome}");
                }
                done++;
                refused += outcome.Refused ? 1 : 0;
            }
        }
        finally
        {
            stop.Cancel();
            await swapper;
        }

        output.WriteLine($"{done} requests ({refused} refused) during {swaps} swaps");
        Assert.True(swaps > 0 && done > operations.Length, $"the race did not run: {done} requests, {swaps} swaps");
        jail.AssertUntouched(before, "the swap race");
        Assert.Equal(FrameType.Ok, (await client.RequestAsync(EmptyMessage.Ping)).Type);
    }

    /// <summary>Renames into place; an upload may have created the folder meanwhile (uploads create missing folders): it goes.</summary>
    private static void PutBack(string from, string to)
    {
        while (true)
        {
            try
            {
                Jail.Rename(from, to);
                return;
            }
            catch (IOException)
            {
                // Moved aside rather than deleted: the server may be writing in it right now.
                Assert.Null(new DirectoryInfo(to).LinkTarget);
                try
                {
                    Jail.Rename(to, Path.Join(Path.GetDirectoryName(from), "aside-" + Guid.NewGuid().ToString("N")));
                }
                catch (IOException)
                {
                    // Gone meanwhile (a recursive DELETE): try again.
                }
            }
        }
    }

    private static void Refill(string folder)
    {
        Directory.CreateDirectory(Path.Join(folder, "sub"));
        File.WriteAllText(Path.Join(folder, "sub", "f.txt"), "inside content, longer than the secret");
    }
}
