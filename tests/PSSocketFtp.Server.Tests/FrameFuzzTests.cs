using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;
using Xunit.Abstractions;

namespace PSSocketFtp.Server.Tests;

/// <summary>
/// A seeded random-frame fuzz of the real server: random headers, valid headers with random payloads, mutated valid
/// requests, truncated frames, oversize lengths, bodies out of place. Each connection must end in an ERROR or a close
/// within a bounded time, never in an internal error; memory must stay bounded; nothing outside the root may change; and
/// the server must still answer PING. Set PSSOCKETFTP_FUZZ_SEED to replay a run (the seed is printed), and
/// PSSOCKETFTP_FUZZ_FRAMES for a longer one (5,000 frames by default, about 2 s).
/// </summary>
public class FrameFuzzTests(ITestOutputHelper output)
{
    private static readonly int FrameBudget = int.TryParse(Environment.GetEnvironmentVariable("PSSOCKETFTP_FUZZ_FRAMES"), out int frames) && frames > 0 ? frames : 5000;
    private const int Parallel = 4;
    private static readonly TimeSpan PerConnection = TimeSpan.FromSeconds(10);
    private const long MemoryBound = 64L * 1024 * 1024;

    private static readonly string[] Paths =
    [
        "", "/", "docs", "docs/a.txt", "b.bin", "missing", "..", "../x", "a/../../x", "．．/x", ".psftp/partial", "C:\\x", "NUL",
        "a\0b", "\\\\server\\share", new string('n', 300), "docs/", "link-out", "link-out/secret.txt",
    ];

    private static readonly FrameType[] Requests =
        [FrameType.List, FrameType.Stat, FrameType.Delete, FrameType.Upload, FrameType.Download, FrameType.Bye, FrameType.Ping, FrameType.Hash, FrameType.MakeFolder, FrameType.Rename];

    [Fact]
    public async Task Server_SeededRandomFrames_EveryConnectionEndsCleanlyAndServerStillAnswers()
    {
        int seed = int.TryParse(Environment.GetEnvironmentVariable("PSSOCKETFTP_FUZZ_SEED"), out int s) ? s : Random.Shared.Next();
        output.WriteLine($"PSSOCKETFTP_FUZZ_SEED={seed}");
        await using var server = await TestServer.StartAsync();
        var jail = Jail.Create(server);
        Directory.CreateDirectory(server.FullPath("docs"));
        File.WriteAllText(server.FullPath("docs/a.txt"), "a small file, not the secret");
        File.WriteAllBytes(server.FullPath("b.bin"), new byte[3000]);
        Directory.CreateSymbolicLink(server.FullPath("link-out"), jail.Outside);
        var before = jail.Snapshot();
        long memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();

        var stats = new Stats();
        int nextConnection = -1;
        var workers = Enumerable.Range(0, Parallel).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Add(ref stats.Frames, 0) < FrameBudget)
            {
                int connection = Interlocked.Increment(ref nextConnection);
                await RunConnectionAsync(server, new Random(HashCode.Combine(seed, connection)), connection, seed, stats);
            }
        })).ToArray();
        await Task.WhenAll(workers);

        long memoryAfter = GC.GetTotalMemory(forceFullCollection: true);
        output.WriteLine($"seed {seed}: {stats.Frames} frames on {stats.Connections} connections in {clock.Elapsed.TotalSeconds:F1} s; "
            + $"{stats.Errors} ERROR answers, {stats.Closes} closes, statuses {string.Join(", ", stats.Statuses.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value}"))}; "
            + $"managed memory {memoryBefore / 1024} KiB -> {memoryAfter / 1024} KiB");
        Assert.True(stats.Frames >= FrameBudget);
        Assert.True(stats.Statuses.GetValueOrDefault(FtpStatus.InternalError) == 0, $"seed {seed}: the server failed internally; see its log:\n{string.Join("\n", server.Log.Messages.Where(m => m.StartsWith("Error") || m.StartsWith("Critical")).Take(5))}");
        Assert.True(memoryAfter - memoryBefore < MemoryBound, $"seed {seed}: managed memory grew by {(memoryAfter - memoryBefore) / 1024} KiB");
        jail.AssertUntouched(before, $"fuzz seed {seed}");
        Assert.Equal([jail.Outside, server.Root], Directory.GetFileSystemEntries(server.Sandbox).Order());
        using var client = await server.ConnectAsync();
        Assert.Equal(FrameType.Ok, (await client.RequestAsync(EmptyMessage.Ping)).Type);
    }

    private static async Task RunConnectionAsync(TestServer server, Random random, int connection, int seed, Stats stats)
    {
        using var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(server.EndPoint.Address, server.EndPoint.Port);
        using var socket = tcp.GetStream();
        using var cancel = new CancellationTokenSource(PerConnection);
        var bytes = new MemoryStream();
        int handshake = random.Next(40);
        var hello = new byte[ProtocolConstants.HandshakeSize];
        // Version 1, whose frames carry no checksum: the mutations reach the field parser instead of stopping at a checksum.
        Handshake.WriteHello(hello, 1, 1);
        if (handshake == 0)
        {
            random.NextBytes(hello);
        }
        else if (handshake == 1)
        {
            hello[random.Next(hello.Length)] ^= (byte)random.Next(1, 256);
        }
        bytes.Write(hello);
        int frames = random.Next(1, 9);
        for (int i = 0; i < frames; i++)
        {
            bytes.Write(NextFrame(random));
        }
        Interlocked.Add(ref stats.Frames, frames);
        Interlocked.Increment(ref stats.Connections);

        var reader = ReadAllAsync(socket, cancel.Token);
        try
        {
            await socket.WriteAsync(bytes.ToArray(), cancel.Token);
            tcp.Client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            // The server closed first (after an ERROR): allowed.
        }
        byte[] answer;
        try
        {
            answer = await reader;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"seed {seed}, connection {connection}: no close within {PerConnection}.");
        }
        Interlocked.Increment(ref stats.Closes);
        Tally(answer, stats);
    }

    private static async Task<byte[]> ReadAllAsync(NetworkStream socket, CancellationToken cancellationToken)
    {
        var all = new MemoryStream();
        var buffer = new byte[64 * 1024];
        try
        {
            int read;
            while ((read = await socket.ReadAsync(buffer, cancellationToken)) > 0)
            {
                all.Write(buffer, 0, read);
            }
        }
        catch (IOException)
        {
            // A reset is a close too.
        }
        return all.ToArray();
    }

    /// <summary>Counts the ERROR frames (and their statuses) in what the server sent after its handshake reply.</summary>
    private static void Tally(byte[] answer, Stats stats)
    {
        int offset = ProtocolConstants.HandshakeSize;
        while (answer.Length - offset >= ProtocolConstants.HeaderSize)
        {
            var header = FrameHeader.Read(answer.AsSpan(offset));
            offset += ProtocolConstants.HeaderSize;
            if (answer.Length - offset < header.PayloadLength)
            {
                break;
            }
            if (header.Type == FrameType.Error)
            {
                Interlocked.Increment(ref stats.Errors);
                var status = (FtpStatus)(FieldSet.Parse(answer.AsMemory(offset, header.PayloadLength)).TryGetUInt16(FieldTag.Status) ?? 0);
                lock (stats.Statuses)
                {
                    stats.Statuses[status] = stats.Statuses.GetValueOrDefault(status) + 1;
                }
            }
            offset += header.PayloadLength;
        }
    }

    private static byte[] NextFrame(Random random) => random.Next(7) switch
    {
        0 => RandomBytes(random, ProtocolConstants.HeaderSize + random.Next(64)),
        1 => WithHeader(Requests[random.Next(Requests.Length)], (uint)random.Next(3), RandomBytes(random, random.Next(200))),
        2 => Mutate(random, ValidRequest(random)),
        3 => Truncate(random, ValidRequest(random)),
        4 => Oversize(random),
        5 => WithHeader(random.Next(2) == 0 ? FrameType.Data : FrameType.End, (uint)random.Next(1, 4), RandomBytes(random, random.Next(300))),
        _ => ValidRequest(random),
    };

    private static byte[] ValidRequest(Random random)
    {
        var type = Requests[random.Next(Requests.Length)];
        // Built field by field on purpose: the fuzzer mixes fields and values that no message type would put together.
        var writer = FieldWriter.ForFrame(type, (uint)random.Next(1, 5));
        if (random.Next(5) > 0)
        {
            writer.Add(FieldTag.Path, Paths[random.Next(Paths.Length)].Replace("\0", random.Next(2) == 0 ? "\0" : ""));
        }
        if (random.Next(3) == 0)
        {
            writer.Add(FieldTag.Recursive, random.Next(2) == 0);
        }
        if (type is FrameType.MakeFolder or FrameType.Rename && random.Next(3) == 0)
        {
            // A boolean out of range now and then: a protocol error, fatal for the connection only.
            writer.Add(type == FrameType.Rename ? FieldTag.Replace : FieldTag.ExistingOk, (byte)random.Next(random.Next(8) == 0 ? 256 : 2));
        }
        if (type == FrameType.Rename && random.Next(5) > 0)
        {
            writer.Add(FieldTag.Target, Paths[random.Next(Paths.Length)].Replace("\0", random.Next(2) == 0 ? "\0" : ""));
        }
        if (type == FrameType.Upload || random.Next(6) == 0)
        {
            writer.Add(FieldTag.Length, random.Next(4) == 0 ? random.NextInt64() : random.Next(0, 500));
            writer.Add(FieldTag.Conflict, (byte)random.Next(4));
            if (random.Next(2) == 0)
            {
                writer.Add(FieldTag.FileName, Paths[random.Next(Paths.Length)]);
            }
            if (random.Next(4) == 0)
            {
                writer.Add(FieldTag.UploadId, random.Next(3) == 0 ? "../../x" : $"id-{random.Next(5)}");
            }
        }
        if (random.Next(5) == 0)
        {
            writer.Add(FieldTag.HashAlgorithm, random.Next(3) switch { 0 => "XXH128", 1 => "SHA256", _ => "BOGUS" });
        }
        if (random.Next(5) == 0)
        {
            writer.Add(FieldTag.Offset, random.NextInt64(-5, 5000));
        }
        if (random.Next(8) == 0)
        {
            writer.Add((FieldTag)random.Next(256), RandomBytes(random, random.Next(20)));
        }
        return writer.ToFrame(1).ToArray();
    }

    private static byte[] Mutate(Random random, byte[] frame)
    {
        int flips = random.Next(1, 6);
        for (int i = 0; i < flips; i++)
        {
            int at = random.Next(frame.Length);
            frame[at] = random.Next(3) switch
            {
                0 => (byte)random.Next(256),
                1 => (byte)(frame[at] ^ (1 << random.Next(8))),
                _ => random.Next(2) == 0 ? (byte)0 : (byte)0xFF,
            };
        }
        if (random.Next(2) == 0 && frame.Length > ProtocolConstants.HeaderSize)
        {
            // Keep the header's length honest so the mutation reaches the field parser.
            BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)(frame.Length - ProtocolConstants.HeaderSize));
        }
        return frame;
    }

    private static byte[] Truncate(Random random, byte[] frame) => frame.AsSpan(0, random.Next(1, frame.Length)).ToArray();

    private static byte[] Oversize(Random random)
    {
        var header = new byte[ProtocolConstants.HeaderSize];
        var type = random.Next(2) == 0 ? FrameType.Data : Requests[random.Next(Requests.Length)];
        uint max = (uint)(type == FrameType.Data ? ProtocolConstants.MaxDataPayload : ProtocolConstants.MaxControlPayload);
        BinaryPrimitives.WriteUInt32BigEndian(header, random.Next(2) == 0 ? uint.MaxValue - (uint)random.Next(100) : max + 1 + (uint)random.Next(1000));
        header[4] = (byte)type;
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(6), (uint)random.Next(1, 4));
        return header;
    }

    private static byte[] WithHeader(FrameType type, uint streamId, byte[] payload)
    {
        var frame = new byte[ProtocolConstants.HeaderSize + payload.Length];
        new FrameHeader(type, streamId, payload.Length).Write(frame);
        payload.CopyTo(frame, ProtocolConstants.HeaderSize);
        return frame;
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private sealed class Stats
    {
        public int Frames;
        public int Connections;
        public int Errors;
        public int Closes;
        public readonly Dictionary<FtpStatus, int> Statuses = [];
    }
}
