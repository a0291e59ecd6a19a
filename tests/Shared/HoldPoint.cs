using PSSocketFtp.Client;

namespace PSSocketFtp.TestSupport;

/// <summary>
/// A progress sink that holds the transfer once <paramref name="at"/> bytes have moved, until released: the client
/// reports progress on the thread that sends or receives, so the test acts on the server at that exact point every run.
/// </summary>
internal sealed class HoldPoint(long at) : IProgress<FtpTransferProgress>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly TaskCompletionSource _reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task WaitReachedAsync() => _reached.Task.WaitAsync(Bound);

    public void Release() => _released.TrySetResult();

    public void Report(FtpTransferProgress value)
    {
        if (value.BytesTransferred >= at && _reached.TrySetResult())
        {
            _released.Task.Wait(Bound);
        }
    }
}
