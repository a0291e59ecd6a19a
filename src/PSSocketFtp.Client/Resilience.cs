using System.Runtime.CompilerServices;
using Polly;
using Polly.Retry;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Client;

/// <summary>The session's Polly pipeline: transient faults are retried with exponential backoff and jitter.</summary>
internal static class Resilience
{
    // Faults that were transient in kind but must not be tried again (the request may have taken effect, or the
    // local stream cannot be rewound). A table rather than a property: FtpException belongs to the protocol library.
    private static readonly ConditionalWeakTable<Exception, object> Final = new();

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
    /// Faults of the wire are worth another try: a lost connection, no progress, a damaged frame (found by either side),
    /// a body whose hash or length came out wrong. What the server refused (not found, access denied, …) would be
    /// refused again, and nothing is retried once marked <see cref="MarkFinal"/>.
    /// </summary>
    public static bool IsTransient(Exception? exception) =>
        exception is not null && !Final.TryGetValue(exception, out _) && exception switch
        {
            FtpConnectionException lost => lost.IsTransient,
            FtpTimeoutException stalled => stalled.IsTransient,
            // A server at its connection limit says so in the handshake; a later try may find a free place.
            FtpException { Status: FtpStatus.ServerBusy } => true,
            FtpException protocol => IsWireFault(protocol.Status),
            _ => false,
        };

    /// <summary>Statuses that say bytes were damaged or lost on the way, not that the server refused the request.</summary>
    public static bool IsWireFault(FtpStatus status) =>
        status is FtpStatus.MalformedFrame or FtpStatus.FrameTooLarge or FtpStatus.UnknownRequest
            or FtpStatus.HashMismatch or FtpStatus.LengthMismatch;

    /// <summary>Keeps the pipeline from retrying this exception.</summary>
    public static void MarkFinal(Exception exception)
    {
        if (!Final.TryGetValue(exception, out _))
        {
            Final.Add(exception, Final);
        }
    }
}
