using System.Net;

namespace PSSocketFtp.FaultProxy;

/// <summary>
/// What the proxy forwards to and how it picks faults. Each direction of each connection meets a point every
/// log-uniform gap of 1 to <see cref="MaxOffset"/> bytes (about MaxOffset / ln(MaxOffset) apart on average, closer near
/// the start); the rates are the chances that a point is a cut, a stall or a flip (the rest are nothing).
/// </summary>
public sealed class FaultProxyOptions
{
    /// <summary>The endpoint every accepted connection is forwarded to.</summary>
    public required IPEndPoint Target { get; init; }

    /// <summary>Seeds the one <see cref="Random"/> that plans every connection, in the order they are accepted.</summary>
    public int Seed { get; init; }

    /// <summary>The chance that a point is a cut.</summary>
    public double CutRate { get; init; } = 0.15;

    /// <summary>The chance that a point is a stall.</summary>
    public double StallRate { get; init; } = 0.03;

    /// <summary>The chance that a point is a flipped byte.</summary>
    public double FlipRate { get; init; } = 0.1;

    /// <summary>Multiplies the three rates (each capped at 1): 0 injects nothing, 2 twice as often.</summary>
    public double Intensity { get; init; } = 1;

    /// <summary>
    /// The longest gap in bytes between two points of one direction. Gaps are log-uniform in [1, MaxOffset], so
    /// handshakes, headers and the starts of bodies are hit about as often as the middle of a large body.
    /// </summary>
    public long MaxOffset { get; init; } = 16L * 1024 * 1024;

    /// <summary>The shortest stall.</summary>
    public TimeSpan MinStall { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest stall.</summary>
    public TimeSpan MaxStall { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The chance that a stall ends in a cut rather than carrying on.</summary>
    public double StallCutRate { get; init; } = 0.5;

    /// <summary>
    /// How long each byte takes through the proxy, each way (a link's one-way delay, not a bandwidth limit): 10 ms makes
    /// a round trip of 20 ms, as between two sites. Zero forwards at once.
    /// </summary>
    public TimeSpan Latency { get; init; }

    /// <summary>Receives one line per fault injected (and per connection that could not reach the target).</summary>
    public Action<string>? Log { get; init; }

    internal FaultProxyOptions Validated()
    {
        ArgumentNullException.ThrowIfNull(Target);
        foreach (var (name, rate) in new[] { (nameof(CutRate), CutRate), (nameof(StallRate), StallRate), (nameof(FlipRate), FlipRate), (nameof(StallCutRate), StallCutRate) })
        {
            if (rate is < 0 or > 1 || double.IsNaN(rate))
            {
                throw new ArgumentOutOfRangeException(name, rate, "A rate is between 0 and 1.");
            }
        }
        if (Latency < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Latency), Latency, "A latency is not negative.");
        }
        if ((CutRate + StallRate + FlipRate) * Intensity > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Intensity), Intensity, "The rates times the intensity add up to more than 1.");
        }
        if (Intensity < 0 || double.IsNaN(Intensity))
        {
            throw new ArgumentOutOfRangeException(nameof(Intensity), Intensity, "The intensity cannot be negative.");
        }
        if (MaxOffset < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxOffset), MaxOffset, "The largest offset must be positive.");
        }
        if (MinStall < TimeSpan.Zero || MaxStall < MinStall)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxStall), MaxStall, "Stalls need 0 <= MinStall <= MaxStall.");
        }
        return this;
    }
}
