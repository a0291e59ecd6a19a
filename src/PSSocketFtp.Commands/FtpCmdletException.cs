using System.Management.Automation;

namespace PSSocketFtp.Commands;

/// <summary>A failure of one item that the cmdlets find themselves (a local file in the way, a folder where a file belongs), with its ErrorRecord's id and category.</summary>
internal sealed class FtpCmdletException : Exception
{
    public FtpCmdletException(string errorId, ErrorCategory category, string message)
        : base(message)
    {
        ErrorId = errorId;
        Category = category;
    }

    public string ErrorId { get; }

    public ErrorCategory Category { get; }
}
