namespace PSSocketFtp.Client;

/// <summary>A try of an operation failed in a way worth trying again: what failed, and how long until the next try.</summary>
public sealed class FtpRetryEventArgs : EventArgs
{
    internal FtpRetryEventArgs(int failedTry, TimeSpan delay, Exception reason)
    {
        FailedTry = failedTry;
        Delay = delay;
        Reason = reason;
    }

    /// <summary>The number of the try that failed, 1 for the first.</summary>
    public int FailedTry { get; }

    /// <summary>How long the session waits before the next try.</summary>
    public TimeSpan Delay { get; }

    /// <summary>Why the try failed.</summary>
    public Exception Reason { get; }
}
