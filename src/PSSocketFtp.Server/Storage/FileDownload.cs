using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server;

/// <summary>An open file and its description; disposing closes the file.</summary>
/// <param name="Entry">The file as STAT would describe it.</param>
/// <param name="Content">The bytes, positioned at 0.</param>
internal sealed record FileDownload(RemoteEntry Entry, Stream Content) : IAsyncDisposable
{
    /// <inheritdoc />
    public ValueTask DisposeAsync() => Content.DisposeAsync();
}
