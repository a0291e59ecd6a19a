using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Client;

/// <summary>
/// Runs a session's operations one at a time inside its retry pipeline, each try on a live connection. It owns the
/// connection: it opens a new one when the last broke or went idle, and closes one left unused for the idle timeout.
/// </summary>
internal sealed class OperationRunner : IDisposable
{
    private readonly FtpSessionOptions _options;
    private readonly Polly.ResiliencePipeline _pipeline;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ITimer _idleTimer;
    private FtpConnection? _connection;
    private bool _closed;

    public OperationRunner(FtpSessionOptions options)
    {
        _options = options;
        _pipeline = Resilience.Create(options);
        var period = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, options.IdleTimeout.Ticks / 4));
        _idleTimer = options.TimeProvider.CreateTimer(_ => CloseIfIdle(), null, period, period);
    }

    /// <summary>The protocol version agreed with the server on the last connection.</summary>
    public int ProtocolVersion { get; private set; }

    /// <summary>Set by <see cref="DisconnectAsync"/> and <see cref="Dispose"/>: no operation runs afterwards.</summary>
    public bool IsClosed => _closed;

    /// <summary>Whether a connection to the server is up right now.</summary>
    public bool IsConnected => !_closed && _connection is { IsBroken: false };

    /// <summary>Runs one operation inside the retry pipeline, on a live connection, one operation at a time.</summary>
    public async Task<T> RunAsync<T>(Func<FtpConnection, Attempt, Task<T>> operation, CancellationToken cancellationToken)
    {
        if (_closed)
        {
            throw new InvalidOperationException($"The session to {_options.ComputerName}:{_options.Port} is closed.");
        }
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
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
                    connection = _connection is { IsBroken: false } live && !IsIdle(live) ? live : await ReconnectAsync(token).ConfigureAwait(false);
                }
                catch
                {
                    // A try that could not connect moved nothing.
                    budget.Failed(cutAfterMoving: false);
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
                        CloseConnection();
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
                }
            }, pipelineContext).ConfigureAwait(false);
        }
        finally
        {
            Polly.ResilienceContextPool.Shared.Return(pipelineContext);
            _gate.Release();
        }
    }

    /// <summary>Says goodbye to the server and closes the connection. No operation runs afterwards.</summary>
    public async Task DisconnectAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
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
            _gate.Release();
        }
    }

    /// <summary>Closes the connection without a goodbye. No operation runs afterwards.</summary>
    public void Dispose()
    {
        _closed = true;
        _idleTimer.Dispose();
        CloseConnection();
    }

    private bool IsIdle(FtpConnection connection) => _options.TimeProvider.GetElapsedTime(connection.LastUsed) >= _options.IdleTimeout;

    /// <summary>Closes a connection that went unused for the idle timeout; never one an operation is using.</summary>
    private void CloseIfIdle()
    {
        if (!_gate.Wait(0))
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
            _gate.Release();
        }
    }

    private async Task<FtpConnection> ReconnectAsync(CancellationToken cancellationToken)
    {
        CloseConnection();
        var connection = await FtpConnection.OpenAsync(_options, cancellationToken).ConfigureAwait(false);
        ProtocolVersion = connection.ProtocolVersion;
        return _connection = connection;
    }

    private void CloseConnection()
    {
        _connection?.Dispose();
        _connection = null;
    }
}
