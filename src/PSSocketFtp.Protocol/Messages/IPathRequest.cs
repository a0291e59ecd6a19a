namespace PSSocketFtp.Protocol.Messages;

/// <summary>A request about one remote path: the path an ERROR that answers it names, unless the failure names another.</summary>
public interface IPathRequest
{
    /// <summary>The remote path as sent; the root when empty.</summary>
    string Path { get; }
}
