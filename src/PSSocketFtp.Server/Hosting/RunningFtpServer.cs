using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace PSSocketFtp.Server;

/// <summary>A started server: where it listens and what it serves. Disposing stops it.</summary>
public sealed class RunningFtpServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    internal RunningFtpServer(WebApplication app, IPEndPoint endPoint, string root)
    {
        _app = app;
        EndPoint = endPoint;
        Root = root;
    }

    /// <summary>The address and port actually bound (the real port when 0 was asked for).</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>The full path of the folder being served, or <c>s3://bucket/prefix/</c> for the S3 store.</summary>
    public string Root { get; }

    /// <summary>Stops accepting connections, asks open ones to close, and waits for them (aborting them after a few seconds).</summary>
    public Task StopAsync() => _app.StopAsync();

    /// <summary>Completes when the host is told to shut down (Ctrl+C, SIGTERM).</summary>
    internal Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }
}
