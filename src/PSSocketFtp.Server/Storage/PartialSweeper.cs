using Microsoft.Extensions.Hosting;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server;

/// <summary>
/// Deletes partial uploads whose client vanished without the server noticing (a crash, a killed process), resumable partials
/// nobody came back for, and the records that answer retries of committed uploads, once older than
/// <see cref="FtpServerOptions.PartialMaxAge"/>: at start, then every hour or so.
/// </summary>
internal sealed class PartialSweeper(IFileStore store, FtpServerOptions options, TimeProvider timeProvider, ILogger<PartialSweeper> logger) : BackgroundService
{
    private static readonly TimeSpan MaxPeriod = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.PartialMaxAge < MaxPeriod ? options.PartialMaxAge : MaxPeriod, timeProvider);
        do
        {
            try
            {
                int deleted = await store.SweepPartialsAsync(options.PartialMaxAge, stoppingToken);
                if (deleted > 0)
                {
                    logger.LogInformation("deleted {Count} abandoned partial uploads and upload records older than {MaxAge}", deleted, options.PartialMaxAge);
                }
            }
            catch (FtpException e) when (e.InnerException is { } cause)
            {
                // The store's storage is unusable (its root, its own folder): the cause names the folder; a stack trace adds nothing.
                logger.LogWarning("could not sweep abandoned partial uploads: {Problem} {Cause}", e.Message, cause.Message);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                logger.LogWarning(e, "could not sweep abandoned partial uploads");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
