using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Client;

/// <summary>
/// Runs a session's operations inside its retry pipeline, each try on a live connection. It owns the connection: it
/// opens a new one when the last broke or went idle, and closes one left unused for the idle timeout. Up to
/// <see cref="ProtocolConstants.MaxOpenStreams"/> operations run at once on a connection of protocol version 3 (each
/// retried on its own: a cut connection is opened again once, and every try that was on it resumes on the new one); on
/// an older server they take turns.
/// </summary>
internal sealed class OperationRunner : IDisposable
{
    private readonly FtpSessionOptions _options;
    private readonly Polly.ResiliencePipeline _pipeline;
    // Operations in flight, at most as many as a connection may carry; Disconnect takes every slot.
    private readonly SemaphoreSlim _window = new(ProtocolConstants.MaxOpenStreams, ProtocolConstants.MaxOpenStreams);
    // Guards _connection: one try opens a new connection while the others wait for it.
    private readonly SemaphoreSlim _connect = new(1, 1);
    private readonly ITimer _idleTimer;
    private FtpConnection? _connection;
    private bool _closed;

    public OperationRunner(FtpSessionOptions options, Action<FtpRetryEventArgs> retrying)
    {
        _options = options;
        _pipeline = Resilience.Create(options, retrying);
        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, options.IdleTimeout.Ticks / 4));
        _idleTimer = options.TimeProvider.CreateTimer(_ => CloseIfIdle(), null, period, period);
    }

    /// <summary>The protocol version agreed with the server on the last connection.</summary>
    public int ProtocolVersion { get; private set; }

    /// <summary>Set by <see cref="DisconnectAsync"/> and <see cref="Dispose"/>: no operation runs afterwards.</summary>
    public bool IsClosed => _closed;

    /// <summary>Whether a connection to the server is up right now.</summary>
    public bool IsConnected => !_closed && _connection is { IsBroken: false };

    /// <summary>Runs one operation inside the retry pipeline, on a live connection; many at once on a multiplexed one.</summary>
    public async Task<T> RunAsync<T>(Func<FtpConnection, Attempt, Task<T>> operation, CancellationToken cancellationToken)
    {
        if (_closed)
        {
            throw new InvalidOperationException($"The session to {_options.ComputerName}:{_options.Port} is closed.");
        }
        await _window.WaitAsync(cancellationToken).ConfigureAwait(false);
        var budget = new RetryBudget();
        var pipelineContext = Polly.ResilienceContextPool.Shared.Get(cancellationToken);
        pipelineContext.Properties.Set(Resilience.Budget, budget);
        try
        {
            int tries = 0;
            return await _pipeline.ExecuteAsync(async context =>
            {
                var token = context.CancellationToken;
                var attempt = new Attempt(++tries, token, budget);
                FtpConnection connection;
                try
                {
                    connection = await AcquireAsync(token).ConfigureAwait(false);
                }
                catch
                {
                    // A try that could not connect moved nothing.
                    budget.Failed(cutAfterMoving: false);
                    throw;
                }
                bool exclusive = !connection.IsMultiplexed;
                try
                {
                    if (exclusive)
                    {
                        await connection.Exclusive.WaitAsync(token).ConfigureAwait(false);
                    }
                }
                catch
                {
                    Interlocked.Decrement(ref connection.Users);
                    throw;
                }
                using var scope = connection.BeginOperation(_options, token);
                try
                {
                    return await operation(connection, attempt).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    // Bytes moved before a cut are judged by the next READY; a refusal or a damaged body counts at once.
                    budget.Failed(cutAfterMoving: attempt.MovedBody && e is not FtpException);
                    // A refusal the server sent in good order leaves the connection in step; anything else may not,
                    // and a damaged body (hash or length) is retried on a fresh connection too.
                    if (e is not FtpException { IsProtocolViolation: false } refusal || Resilience.IsWireFault(refusal.Status) || connection.IsBroken)
                    {
                        CloseConnection(connection);
                    }
                    var translated = scope.Translate(e, attempt.MayHaveTakenEffect);
                    if (attempt.MayHaveTakenEffect || attempt.Final)
                    {
                        Resilience.MarkFinal(translated);
                    }
                    if (ReferenceEquals(translated, e))
                    {
                        throw;
                    }
                    throw translated;
                }
                finally
                {
                    connection.LastUsed = _options.TimeProvider.GetTimestamp();
                    if (exclusive)
                    {
                        connection.Exclusive.Release();
                    }
                    Interlocked.Decrement(ref connection.Users);
                }
            }, pipelineContext).ConfigureAwait(false);
        }
        finally
        {
            Polly.ResilienceContextPool.Shared.Return(pipelineContext);
            _window.Release();
        }
    }

    /// <summary>Says goodbye to the server and closes the connection. No operation runs afterwards.</summary>
    public async Task DisconnectAsync(CancellationToken cancellationToken)
    {
        // Every slot: the operations in flight end first.
        int taken = 0;
        try
        {
            for (; taken < ProtocolConstants.MaxOpenStreams; taken++)
            {
                await _window.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            if (_connection is { IsBroken: false } connection)
            {
                try
                {
                    using var scope = connection.BeginOperation(_options, cancellationToken);
                    uint id = connection.NextStreamId();
                    await connection.SendAsync(id, EmptyMessage.Bye).ConfigureAwait(false);
                    await connection.ExpectAsync(id, FrameType.Ok).ConfigureAwait(false);
                }
                catch (Exception e) when (e is FtpConnectionException or FtpException)
                {
                    // The goodbye is a courtesy: the server frees the session when the socket closes anyway.
                }
            }
            CloseConnection();
            _closed = true;
            _idleTimer.Dispose();
        }
        finally
        {
            if (taken > 0)
            {
                _window.Release(taken);
            }
        }
    }

    /// <summary>Closes the connection without a goodbye. No operation runs afterwards.</summary>
    public void Dispose()
    {
        _closed = true;
        _idleTimer.Dispose();
        CloseConnection();
    }

    private bool IsIdle(FtpConnection connection) =>
        Volatile.Read(ref connection.Users) == 0 && _options.TimeProvider.GetElapsedTime(connection.LastUsed) >= _options.IdleTimeout;

    /// <summary>Closes a connection that went unused for the idle timeout; never one an operation is using.</summary>
    private void CloseIfIdle()
    {
        if (!_connect.Wait(0))
        {
            return;
        }
        try
        {
            if (_connection is { } connection && IsIdle(connection))
            {
                CloseConnection();
            }
        }
        finally
        {
            _connect.Release();
        }
    }

    /// <summary>
    /// The live connection, counted as in use by the caller; a new one when there is none, it broke or it went idle. Tries
    /// that need a new connection at the same time wait for one of them to open it, and all use it.
    /// </summary>
    private async Task<FtpConnection> AcquireAsync(CancellationToken cancellationToken)
    {
        await _connect.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connection is not { IsBroken: false } connection || IsIdle(connection))
            {
                CloseConnection();
                connection = await FtpConnection.OpenAsync(_options, cancellationToken).ConfigureAwait(false);
                ProtocolVersion = connection.ProtocolVersion;
                _connection = connection;
            }
            Interlocked.Increment(ref connection.Users);
            return connection;
        }
        finally
        {
            _connect.Release();
        }
    }

    /// <summary>Closes <paramref name="connection"/>, and forgets it if it is still the session's (not one opened since).</summary>
    private void CloseConnection(FtpConnection connection)
    {
        connection.Dispose();
        Interlocked.CompareExchange(ref _connection, null, connection);
    }

    private void CloseConnection()
    {
        _connection?.Dispose();
        _connection = null;
    }
}
