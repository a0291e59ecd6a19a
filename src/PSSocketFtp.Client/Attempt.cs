namespace PSSocketFtp.Client;

/// <summary>What one try of an operation has done so far.</summary>
internal sealed class Attempt(int number, CancellationToken token, RetryBudget budget)
{
    /// <summary>1 for the first try, 2 for the first retry, ….</summary>
    public int Number { get; } = number;

    /// <summary>The try's cancellation token.</summary>
    public CancellationToken Token { get; } = token;

    /// <summary>Set once the server may have acted on the request; after that a lost connection is not retried.</summary>
    public bool MayHaveTakenEffect { get; set; }

    /// <summary>Set once the local side cannot repeat the try (a stream that cannot seek was read or written).</summary>
    public bool Final { get; set; }

    /// <summary>Set once body bytes moved in this try.</summary>
    public bool MovedBody { get; private set; }

    /// <summary>READY's offset: how much of the transfer the other side holds, which tells the retry budget whether the last try moved it forward.</summary>
    public void Holds(long offset) => budget.Holds(offset);

    /// <summary>Body bytes moved: notes it and reports the transfer's position.</summary>
    public void Moved(IProgress<FtpTransferProgress>? progress, long done, long total)
    {
        MovedBody = true;
        progress?.Report(new FtpTransferProgress(done, total));
    }
}
