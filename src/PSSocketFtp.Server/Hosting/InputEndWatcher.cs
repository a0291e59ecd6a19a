using Microsoft.Extensions.Hosting;

namespace PSSocketFtp.Server;

/// <summary>
/// Stops the host when standard input ends (<see cref="FtpServerOptions.StopOnInputEnd"/>). The parent that started the
/// server holds the other end of the pipe: when it closes it (Stop-FtpSocketServer) or dies in any way, even killed,
/// the system closes it, and the server stops as on SIGTERM. Nothing is read for meaning; whatever arrives is discarded.
/// </summary>
internal sealed class InputEndWatcher(IHostApplicationLifetime lifetime, ILogger<InputEndWatcher> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // A thread of its own: a console stream's read blocks, and would hold a thread-pool thread for the server's life.
        var thread = new Thread(Watch) { IsBackground = true, Name = "stdin watcher" };
        thread.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Watch()
    {
        try
        {
            using var input = Console.OpenStandardInput();
            var buffer = new byte[256];
            while (input.Read(buffer, 0, buffer.Length) > 0)
            {
            }
        }
        catch (IOException)
        {
            // A broken pipe ends the input as well.
        }
        logger.LogInformation("standard input ended: the parent process closed it or exited; stopping");
        lifetime.StopApplication();
    }
}
