namespace PSSocketFtp.Client;

/// <summary>The connection to the server could not be made, or broke, and retrying did not help.</summary>
public sealed class FtpConnectionException : IOException
{
    /// <summary>Creates the exception.</summary>
    public FtpConnectionException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }

    /// <summary>Whether trying again may succeed: false once a request may already have taken effect on the server.</summary>
    internal bool IsTransient { get; set; } = true;
}
