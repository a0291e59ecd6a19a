using Polly;
using Polly.Retry;

namespace PSSocketFtp.Client;

/// <summary>The session's Polly pipeline: transient faults are retried with exponential backoff and jitter.</summary>
internal static class Resilience
{
    public static ResiliencePipeline Create(FtpSessionOptions options)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider };
        if (options.RetryCount > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => new ValueTask<bool>(IsTransient(args.Outcome.Exception)),
                MaxRetryAttempts = options.RetryCount,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                MaxDelay = options.MaxRetryDelay,
            });
        }
        return builder.Build();
    }

    /// <summary>
    /// Only faults of the connection are worth another try, and only while the request cannot have taken effect.
    /// What the server refused (not found, access denied, protocol errors) would be refused again.
    /// </summary>
    public static bool IsTransient(Exception? exception) =>
        exception is FtpConnectionException { IsTransient: true } or FtpTimeoutException { IsTransient: true };
}
