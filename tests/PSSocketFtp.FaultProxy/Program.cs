using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;

namespace PSSocketFtp.FaultProxy;

/// <summary>
/// <c>PSSocketFtp.FaultProxy --target 127.0.0.1:PORT --seed N [--cut-rate R] [--stall-rate R] [--flip-rate R]
/// [--intensity X] [--max-offset BYTES] [--min-stall-ms MS] [--max-stall-ms MS] [--stall-cut-rate R] [--latency-ms MS] [--quiet]</c>:
/// prints <c>proxy listening on 127.0.0.1:PORT seed N</c>, one line per fault, and runs until killed (or Ctrl+C).
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        FaultProxyOptions options;
        try
        {
            options = Parse(args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
        {
            await Console.Error.WriteLineAsync($"PSSocketFtp.FaultProxy: {e.Message}");
            await Console.Error.WriteLineAsync("usage: --target 127.0.0.1:PORT --seed N [--cut-rate R] [--stall-rate R] [--flip-rate R] [--intensity X] [--max-offset BYTES] [--min-stall-ms MS] [--max-stall-ms MS] [--stall-cut-rate R] [--latency-ms MS] [--quiet]");
            return 2;
        }
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stopped.TrySetResult();
        });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            stopped.TrySetResult();
        });
        await using var proxy = FaultProxy.Start(options);
        Console.WriteLine($"proxy listening on {proxy.EndPoint} seed {proxy.Seed}");
        await stopped.Task;
        Console.WriteLine($"proxy stopping: {proxy.Summary}");
        return 0;
    }

    internal static FaultProxyOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        bool quiet = false;
        for (int i = 0; i < args.Length; i++)
        {
            if (string.Equals(args[i], "--quiet", StringComparison.OrdinalIgnoreCase))
            {
                quiet = true;
            }
            else if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
            {
                values[args[i]] = args[++i];
            }
            else
            {
                throw new ArgumentException($"Unexpected argument '{args[i]}'.");
            }
        }
        var known = new[] { "--target", "--seed", "--cut-rate", "--stall-rate", "--flip-rate", "--intensity", "--max-offset", "--min-stall-ms", "--max-stall-ms", "--stall-cut-rate", "--latency-ms" };
        if (values.Keys.FirstOrDefault(k => !known.Contains(k, StringComparer.OrdinalIgnoreCase)) is { } unknown)
        {
            throw new ArgumentException($"Unknown option '{unknown}'.");
        }
        if (!values.TryGetValue("--target", out string? target) || !IPEndPoint.TryParse(target, out var endPoint) || endPoint.Port == 0)
        {
            throw new ArgumentException("--target ADDRESS:PORT is required.");
        }
        var defaults = new FaultProxyOptions { Target = endPoint };
        double Rate(string name, double fallback) => values.TryGetValue(name, out string? v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;
        TimeSpan Millis(string name, TimeSpan fallback) => values.TryGetValue(name, out string? v) ? TimeSpan.FromMilliseconds(double.Parse(v, CultureInfo.InvariantCulture)) : fallback;
        return new FaultProxyOptions
        {
            Target = endPoint,
            Seed = values.TryGetValue("--seed", out string? seed) ? int.Parse(seed, CultureInfo.InvariantCulture) : 1,
            CutRate = Rate("--cut-rate", defaults.CutRate),
            StallRate = Rate("--stall-rate", defaults.StallRate),
            FlipRate = Rate("--flip-rate", defaults.FlipRate),
            Intensity = Rate("--intensity", defaults.Intensity),
            MaxOffset = values.TryGetValue("--max-offset", out string? max) ? long.Parse(max, CultureInfo.InvariantCulture) : defaults.MaxOffset,
            MinStall = Millis("--min-stall-ms", defaults.MinStall),
            MaxStall = Millis("--max-stall-ms", defaults.MaxStall),
            StallCutRate = Rate("--stall-cut-rate", defaults.StallCutRate),
            Latency = Millis("--latency-ms", defaults.Latency),
            Log = quiet ? null : Console.WriteLine,
        }.Validated();
    }
}
