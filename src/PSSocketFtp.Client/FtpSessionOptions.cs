using PSSocketFtp.Protocol;

namespace PSSocketFtp.Client;

/// <summary>How a session connects, retries and times out.</summary>
public sealed class FtpSessionOptions
{
    /// <summary>The server's host name or address.</summary>
    public string ComputerName { get; set; } = "localhost";

    /// <summary>The server's TCP port.</summary>
    public int Port { get; set; } = ProtocolConstants.DefaultPort;

    /// <summary>How many times a failed connect, or an operation cut off by a transient fault, is tried again.</summary>
    public int RetryCount { get; set; } = 3;

    /// <summary>
    /// How long a connect may take, and how long any operation may go without progress
    /// (no byte sent or received) before it counts as failed.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The first retry's delay; later ones grow exponentially, with jitter.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest delay between two tries.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The clock for delays and timeouts; tests inject a fake one so they never sleep.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal FtpSessionOptions Validated()
    {
        if (string.IsNullOrWhiteSpace(ComputerName))
        {
            throw new ArgumentException("A computer name is required.", nameof(ComputerName));
        }
        if (Port is < 1 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(Port), Port, "The port must be between 1 and 65535.");
        }
        if (RetryCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(RetryCount), RetryCount, "The retry count cannot be negative.");
        }
        if (Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "The timeout must be positive.");
        }
        return this;
    }
}
