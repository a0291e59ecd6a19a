using Microsoft.Extensions.Logging;
using System.Diagnostics;
using System.Text.RegularExpressions;
using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server.Tests;

public class RobustnessTests
{
    [Fact]
    public async Task Upload_ClientVanishesMidBody_NoFileNoPartialOthersServed()
    {
        await using var server = await TestServer.StartAsync();
        using var bystander = await server.ConnectAsync();
        var quitter = await server.ConnectAsync();
        int port = quitter.LocalEndPoint.Port;
        uint id = quitter.NextStreamId();
        await quitter.SendAsync(id, new UploadRequest("", "half.bin", 1024 * 1024));
        await quitter.ExpectAsync(FrameType.Ready, id);
        await quitter.SendDataAsync(id, new byte[ProtocolConstants.DataChunkSize]);
        // Half of the next frame: the server is in the middle of a DATA payload when the client vanishes.
        var frame = new byte[ProtocolConstants.HeaderSize + 1000];
        new FrameHeader(FrameType.Data, id, 2000).Write(frame);
        await quitter.SendAsync(frame);
        await server.Log.WaitForAsync(m => m.Contains($":{port} connected"));

        quitter.Abort();

        await server.Log.WaitForAsync(m => m.Contains($":{port} disconnected"));
        Assert.False(File.Exists(server.FullPath("half.bin")));
        Assert.Empty(Directory.GetFiles(server.PartialFolder));
        Assert.Equal(FrameType.Ok, (await bystander.UploadAsync("", "ok.bin", new byte[10])).Type);
    }

    [Fact]
    public async Task AnyFrame_ClientVanishesMidHeader_OthersServed()
    {
        await using var server = await TestServer.StartAsync();
        using var bystander = await server.ConnectAsync();
        var quitter = await server.ConnectAsync();
        int port = quitter.LocalEndPoint.Port;
        await quitter.SendAsync(new byte[] { 0, 0, 0 });

        quitter.Dispose();

        await server.Log.WaitForAsync(m => m.Contains($":{port} disconnected"));
        Assert.Equal(FrameType.Ok, (await bystander.RequestAsync(EmptyMessage.Ping)).Type);
    }

    [Fact]
    public async Task Download_ClientVanishesMidBody_ServerKeepsServing()
    {
        await using var server = await TestServer.StartAsync();
        File.WriteAllBytes(server.FullPath("big.bin"), new byte[16 * 1024 * 1024]);
        var quitter = await server.ConnectAsync();
        int port = quitter.LocalEndPoint.Port;
        var ready = await quitter.RequestAsync(new DownloadRequest("big.bin"));
        Assert.Equal(FrameType.Ready, ready.Type);
        await quitter.ReadFrameAsync();

        quitter.Abort();

        await server.Log.WaitForAsync(m => m.Contains($":{port} disconnected"));
        using var client = await server.ConnectAsync();
        Assert.Equal(FrameType.Ok, (await client.RequestAsync(EmptyMessage.Ping)).Type);
    }

    [Fact]
    public async Task StopAsync_IdleClientConnected_StopsPromptly()
    {
        var server = await TestServer.StartAsync();
        using var client = await server.ConnectAsync();
        var clock = Stopwatch.StartNew();

        await server.DisposeAsync();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"Stopping took {clock.Elapsed}.");
        await client.ExpectClosedAsync();
    }

    [Fact]
    public async Task StartAsync_PortZero_LogsListeningLineWithRealPort()
    {
        await using var server = await TestServer.StartAsync();

        var line = await server.Log.WaitForAsync(m => m.Contains("listening on"));

        Assert.NotEqual(0, server.EndPoint.Port);
        Assert.Contains($"listening on 127.0.0.1:{server.EndPoint.Port}", line);
        Assert.Contains(server.Root, line);
    }

    [Fact]
    public async Task StartAsync_PortInvalid_Throws()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => FtpServerHost.StartAsync(["--port", "70000", "--root", Path.GetTempPath()], l => l.ClearProviders()));
    }

    [Fact]
    public async Task Program_PortZero_PrintsListeningLineOnStdout()
    {
        string sandbox = Path.Join(Path.GetTempPath(), "psftp-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(sandbox);
        var start = new ProcessStartInfo("dotnet", [Path.Join(AppContext.BaseDirectory, "PSSocketFtp.Server.dll"), "--port", "0"])
        {
            WorkingDirectory = sandbox,
            RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        try
        {
            using var cancel = new CancellationTokenSource(RawClient.Timeout);
            Match match;
            do
            {
                string? line = await process.StandardOutput.ReadLineAsync(cancel.Token);
                Assert.True(line is not null, "The server exited.");
                match = Regex.Match(line, @"listening on (\S+):(\d+)");
            }
            while (!match.Success);

            using var client = await RawClient.ConnectAsync(new(System.Net.IPAddress.Parse(match.Groups[1].Value), int.Parse(match.Groups[2].Value)));
            Assert.Equal(FrameType.Ok, (await client.RequestAsync(EmptyMessage.Ping)).Type);
            Assert.True(Directory.Exists(Path.Join(sandbox, "uploads")));
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
            Directory.Delete(sandbox, recursive: true);
        }
    }
}
