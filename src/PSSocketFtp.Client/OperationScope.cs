namespace PSSocketFtp.Client;

/// <summary>
/// An operation's cancellation and no-progress watch over a connection: cancelling the token, or going a whole timeout
/// without a byte moving, aborts the connection so that any pending read or write ends at once (on every runtime).
/// </summary>
internal sealed class OperationScope : IDisposable
{
    private readonly FtpConnection _connection;
    private readonly string _peer;
    private readonly TimeSpan _timeout;
    private readonly CancellationToken _cancellationToken;
    private readonly CancellationTokenRegistration _registration;
    private readonly ProgressWatchdog _watchdog;
    private readonly bool _watched;

    internal OperationScope(FtpConnection connection, string peer, FtpSessionOptions options, TimeSpan timeout, bool touchOnProgress, CancellationToken cancellationToken)
    {
        _connection = connection;
        _peer = peer;
        _timeout = timeout;
        _cancellationToken = cancellationToken;
        _watchdog = new ProgressWatchdog(options.TimeProvider, timeout, connection.Dispose);
        _watched = touchOnProgress;
        if (touchOnProgress)
        {
            connection.Watch(_watchdog);
        }
        _registration = cancellationToken.Register(connection.Dispose);
    }

    /// <summary>
    /// Explains a failure: a cancelled token becomes <see cref="OperationCanceledException"/>, a stall
    /// <see cref="FtpTimeoutException"/>; connection faults are marked transient unless the request may have taken effect.
    /// </summary>
    public Exception Translate(Exception e, bool mayHaveTakenEffect)
    {
        if (_cancellationToken.IsCancellationRequested)
        {
            return e as OperationCanceledException ?? new OperationCanceledException("The operation was cancelled.", e, _cancellationToken);
        }
        if (_watchdog.Fired)
        {
            return new FtpTimeoutException($"{_peer} made no progress for {_timeout.TotalSeconds:0.###} s.") { IsTransient = !mayHaveTakenEffect };
        }
        if (e is FtpConnectionException lost && mayHaveTakenEffect)
        {
            lost.IsTransient = false;
        }
        return e;
    }

    public void Dispose()
    {
        _registration.Dispose();
        _watchdog.Dispose();
        if (_watched)
        {
            _connection.Unwatch(_watchdog);
        }
    }
}
