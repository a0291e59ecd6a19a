using PSSocketFtp.TestSupport;

namespace PSSocketFtp.Module.Tests;

/// <summary>
/// The real server in a process of its own, on an ephemeral port, serving a fresh folder. Out of process because the
/// server carries our protocol assembly: in this process it would sit in the default load context, beside the
/// module's copy, and the module's isolation could not be tested.
/// </summary>
public class ServerFixture : IAsyncLifetime
{
    private ServerProcess? _server;

    /// <summary>The folder the server serves.</summary>
    public string Root { get; } = Path.Join(Path.GetTempPath(), "psftp-module-tests-" + Guid.NewGuid().ToString("N"));

    /// <summary>The port the server listens on, on 127.0.0.1.</summary>
    public int Port => _server?.Port ?? throw new InvalidOperationException("The server has not started.");

    /// <summary>The local path of a remote path under the root.</summary>
    public string FullPath(string remote) => Path.Join(Root, remote.TrimStart('/'));

    /// <summary>Arguments a derived fixture adds to the server's command line.</summary>
    protected virtual IEnumerable<string> ExtraArguments => [];

    public virtual async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        _server = await ServerProcess.StartAsync(new ServerStart(Root) { Arguments = [.. ExtraArguments] });
    }

    public virtual async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
        Directory.Delete(Root, recursive: true);
    }
}
