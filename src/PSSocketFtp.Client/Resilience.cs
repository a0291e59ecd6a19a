using System.Runtime.CompilerServices;
using Polly;
using Polly.Retry;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Client;

/// <summary>
/// The session's Polly pipeline: transient faults are retried with exponential backoff and jitter. RetryCount bounds the
/// tries in a row that move nothing forward (an operation's <see cref="RetryBudget"/>, carried in the pipeline's
/// context), <see cref="MaxTries"/> all of them.
/// </summary>
internal static class Resilience
{
    /// <summary>
    /// The most tries one operation may take, progress or not, so that a peer taking one more byte each try, or keeping
    /// none of them, cannot keep a transfer going for ever. A 100 GB file cut every 100 MB takes 1,000.
    /// </summary>
    public const int MaxTries = 1000;

    /// <summary>Where an operation's retry budget travels with it through the pipeline.</summary>
    public static readonly ResiliencePropertyKey<RetryBudget> Budget = new("PSSocketFtp.RetryBudget");

    // Faults that were transient in kind but must not be tried again (the request may have taken effect, or the
    // local stream cannot be rewound). A table rather than a property: FtpException belongs to the protocol library.
    private static readonly ConditionalWeakTable<Exception, object> Final = new();

    /// <summary>The session's pipeline; <paramref name="retrying"/> hears of each retry before its delay.</summary>
    public static ResiliencePipeline Create(FtpSessionOptions options, Action<FtpRetryEventArgs> retrying)
    {
        var builder = new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider };
        if (options.RetryCount > 0)
        {
            // The session's own generator; its operations may retry at the same moment, and Random is not thread-safe.
            var jitter = new Random();
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => new ValueTask<bool>(IsTransient(args.Outcome.Exception) && BudgetOf(args.Context).Streak <= options.RetryCount),
                MaxRetryAttempts = MaxTries - 1,
                // Polly's own backoff counts every try; this one counts from the last progress.
                DelayGenerator = args => new ValueTask<TimeSpan?>(Backoff(options, BudgetOf(args.Context).Streak, jitter)),
                OnRetry = args =>
                {
                    retrying(new FtpRetryEventArgs(args.AttemptNumber + 1, args.RetryDelay, args.Outcome.Exception!));
                    return default;
                },
            });
        }
        return builder.Build();
    }

    /// <summary>
    /// The delay before the next try: RetryDelay after a try that moved the transfer forward or the first failure,
    /// doubled for each further failure in a row, drawn between half and one and a half times that (so that clients cut
    /// off together do not come back together), and at most MaxRetryDelay.
    /// </summary>
    private static TimeSpan Backoff(FtpSessionOptions options, int streak, Random jitter)
    {
        // Bounded so the arithmetic stays finite: 2^30 times any sensible RetryDelay is far past any sensible MaxRetryDelay.
        int doublings = Math.Min(Math.Max(streak - 1, 0), 30);
        double draw;
        lock (jitter)
        {
            draw = jitter.NextDouble();
        }
        double drawn = options.RetryDelay.Ticks * Math.Pow(2, doublings) * (0.5 + draw);
        return TimeSpan.FromTicks((long)Math.Min(drawn, options.MaxRetryDelay.Ticks));
    }

    private static RetryBudget BudgetOf(ResilienceContext context) =>
        context.Properties.TryGetValue(Budget, out var budget) ? budget : throw new InvalidOperationException("An operation ran without its retry budget.");

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
