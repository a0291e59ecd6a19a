using System.Net;

namespace PSSocketFtp.FaultProxy;

/// <summary>What the proxy forwards to and how it picks faults. Rates are per connection and direction-independent.</summary>
public sealed class FaultProxyOptions
{
    /// <summary>The endpoint every accepted connection is forwarded to.</summary>
    public required IPEndPoint Target { get; init; }

    /// <summary>Seeds the one <see cref="Random"/> that plans every connection, in the order they are accepted.</summary>
    public int Seed { get; init; }

    /// <summary>The chance that a connection gets a cut planned.</summary>
    public double CutRate { get; init; } = 0.25;

    /// <summary>The chance that a connection gets a stall planned.</summary>
    public double StallRate { get; init; } = 0.05;

    /// <summary>The chance that a connection gets a flipped byte planned.</summary>
    public double FlipRate { get; init; } = 0.2;

    /// <summary>Multiplies the three rates (each capped at 1): 0 injects nothing, 2 twice as often.</summary>
    public double Intensity { get; init; } = 1;

    /// <summary>
    /// The furthest byte (counted per direction from the connection's start) a fault is planned at. Positions are drawn
    /// log-uniformly in [0, MaxOffset), so handshakes, headers and the starts of bodies are hit about as often as
    /// the middle of a large body.
    /// </summary>
    public long MaxOffset { get; init; } = 8L * 1024 * 1024;

    /// <summary>The shortest stall.</summary>
    public TimeSpan MinStall { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest stall.</summary>
    public TimeSpan MaxStall { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The chance that a stall ends in a cut rather than carrying on.</summary>
    public double StallCutRate { get; init; } = 0.5;

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
