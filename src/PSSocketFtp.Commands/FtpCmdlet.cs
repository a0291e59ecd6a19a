using System.Management.Automation;
using PSSocketFtp.Client;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Commands;

/// <summary>
/// What every cmdlet of the module shares: Ctrl+C cancels the client call in flight, client calls run on the pipeline
/// thread's behalf (so Write* and ShouldProcess stay on that thread), and exceptions become ErrorRecords with stable ids.
/// </summary>
public abstract class FtpCmdlet : PSCmdlet, IDisposable
{
    private const int ProgressActivityId = 1;
    // At most four progress updates a second: enough to watch, too few to cost anything measurable.
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>The ErrorId of a connection failure; Connect-FtpSocket says ConnectFailed instead.</summary>
    private protected virtual string ConnectionErrorId => "ConnectionLost";

    /// <summary>Releases the cancellation source; PowerShell calls this when the pipeline ends.</summary>
    public void Dispose() => _stopping.Dispose();

    /// <summary>Cancels the client call in flight (Ctrl+C, or the pipeline being stopped).</summary>
    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>Runs a client call and blocks the pipeline thread until it ends.</summary>
    private protected T Call<T>(Func<CancellationToken, Task<T>> call) => Wait(call(_stopping.Token), onTick: null);

    /// <summary>Runs a client call that returns nothing and blocks the pipeline thread until it ends.</summary>
    private protected void Call(Func<CancellationToken, Task> call) =>
        Call(async token =>
        {
            await call(token).ConfigureAwait(false);
            return true;
        });

    /// <summary>Runs a transfer, showing its progress from the pipeline thread while it runs.</summary>
    private protected FtpTransferResult Transfer(string activity, string description, Func<IProgress<FtpTransferProgress>, CancellationToken, Task<FtpTransferResult>> call)
    {
        var progress = new LatestProgress();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long shown = -1;
        try
        {
            return Wait(call(progress, _stopping.Token), () =>
            {
                var (done, total) = progress.Latest;
                if (done != shown && total > 0)
                {
                    shown = done;
                    double rate = done / Math.Max(clock.Elapsed.TotalSeconds, 0.001);
                    // A new record each time: a host may keep the records it is given and show them later.
                    WriteProgress(new ProgressRecord(ProgressActivityId, activity, $"{description}: {done / 1048576.0:N1} of {total / 1048576.0:N1} MB at {rate / 1048576.0:N1} MB/s")
                    {
                        PercentComplete = (int)(done * 100 / total),
                        SecondsRemaining = rate > 0 ? (int)Math.Ceiling((total - done) / rate) : -1,
                    });
                }
            });
        }
        finally
        {
            if (shown >= 0)
            {
                WriteProgress(new ProgressRecord(ProgressActivityId, activity, description) { RecordType = ProgressRecordType.Completed });
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> for each path that <paramref name="expand"/> makes of each input. A failure writes
    /// an error about that input or item and the rest go on; failures that doom the whole command stop it.
    /// </summary>
    private protected void ForEach(IEnumerable<string> inputs, Func<string, IEnumerable<string>> expand, Action<string> action)
    {
        foreach (string input in inputs)
        {
            Try(input, () =>
            {
                foreach (string item in expand(input))
                {
                    Try(item, () => action(item));
                }
            });
        }
    }

    /// <summary>Runs <paramref name="action"/>, turning what it throws into an ErrorRecord about <paramref name="target"/>.</summary>
    private protected void Try(object target, Action action)
    {
        try
        {
            action();
        }
        catch (Exception e) when (Classify(e) is var (errorId, category, terminating))
        {
            var record = new ErrorRecord(e, errorId, category, target);
            if (terminating)
            {
                ThrowTerminatingError(record);
            }
            WriteError(record);
        }
    }

    /// <summary>The current runspace's default session; a terminating NoSession error when there is none.</summary>
    private protected FtpSession RequireDefaultSession() =>
        DefaultSession.Get() ?? throw Terminate("NoSession", "There is no default FTP session: connect with Connect-FtpSocket, pass -Session, or make one of Get-FtpSession the default with Set-FtpDefaultSession.", null);

    /// <summary>What a SessionClosed error says: a closed session cannot be opened again.</summary>
    private protected static string SessionClosedMessage(FtpSession session) => $"The session to {session} is closed: connect again with Connect-FtpSocket.";

    /// <summary>Stops the command with an error about the session or its absence, which no later item could overcome.</summary>
    private protected Exception Terminate(string errorId, string message, FtpSession? session)
    {
        var e = new PSInvalidOperationException(message);
        ThrowTerminatingError(new ErrorRecord(e, errorId, ErrorCategory.InvalidOperation, session));
        return e;
    }

    /// <summary>Resolves a local path (wildcards are not expanded) against PowerShell's current location, to a file system path.</summary>
    private protected string ResolveLocalPath(string path)
    {
        string resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out var provider, out _);
        RequireFileSystem(provider, path);
        return resolved;
    }

    /// <summary>Refuses paths of other providers (registry, certificates, …): only files can be transferred.</summary>
    private protected static void RequireFileSystem(ProviderInfo provider, string path)
    {
        if (provider.Name != "FileSystem")
        {
            throw new FtpCmdletException("NotFileSystemPath", ErrorCategory.InvalidArgument, $"'{path}' is a {provider.Name} path; only file system paths can be transferred.");
        }
    }

    private T Wait<T>(Task<T> task, Action? onTick)
    {
        try
        {
            // The client never needs this thread (it awaits with ConfigureAwait(false)), so blocking it is safe.
            while (onTick is not null && Task.WaitAny(new Task[] { task }, ProgressInterval) < 0)
            {
                onTick();
            }
            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    private (string ErrorId, ErrorCategory Category, bool Terminating)? Classify(Exception e) => e switch
    {
        FtpCmdletException own => (own.ErrorId, own.Category, false),
        FtpException server => Classify(server.Status),
        // The session already retried within its budget: the next item would only wait for the same failure.
        FtpConnectionException => (ConnectionErrorId, ErrorCategory.ConnectionError, true),
        FtpTimeoutException => ("OperationTimeout", ErrorCategory.OperationTimeout, true),
        FtpTlsException tls => (tls.CertificateRejected ? "CertificateNotTrusted" : "TlsFailed", ErrorCategory.SecurityError, true),
        ItemNotFoundException or System.Management.Automation.DriveNotFoundException or FileNotFoundException or DirectoryNotFoundException =>
            ("LocalItemNotFound", ErrorCategory.ObjectNotFound, false),
        UnauthorizedAccessException => ("LocalAccessDenied", ErrorCategory.PermissionDenied, false),
        IOException full when DiskFull.Is(full) => ("LocalDiskFull", ErrorCategory.WriteError, false),
        IOException => ("LocalIOError", ErrorCategory.WriteError, false),
        // The client's own checks of what it was given, such as a computer name of blanks.
        ArgumentException => ("InvalidArgument", ErrorCategory.InvalidArgument, false),
        _ => null,
    };

    private static (string, ErrorCategory, bool) Classify(FtpStatus status) => status switch
    {
        FtpStatus.NotFound => ("ItemNotFound", ErrorCategory.ObjectNotFound, false),
        FtpStatus.AlreadyExists => ("AlreadyExists", ErrorCategory.ResourceExists, false),
        FtpStatus.InvalidPath => ("InvalidPath", ErrorCategory.InvalidArgument, false),
        FtpStatus.NotADirectory => ("NotADirectory", ErrorCategory.InvalidType, false),
        FtpStatus.IsADirectory => ("IsADirectory", ErrorCategory.InvalidType, false),
        FtpStatus.DirectoryNotEmpty => ("DirectoryNotEmpty", ErrorCategory.WriteError, false),
        FtpStatus.AccessDenied => ("AccessDenied", ErrorCategory.PermissionDenied, false),
        // Every later request would be refused the same way.
        FtpStatus.Unauthorized => ("Unauthorized", ErrorCategory.AuthenticationError, true),
        FtpStatus.InsufficientStorage => ("InsufficientStorage", ErrorCategory.WriteError, false),
        FtpStatus.LengthMismatch => ("LengthMismatch", ErrorCategory.InvalidData, false),
        FtpStatus.HashMismatch => ("HashMismatch", ErrorCategory.InvalidResult, false),
        FtpStatus.ServerBusy => ("ServerBusy", ErrorCategory.ResourceBusy, false),
        FtpStatus.FileTooLarge => ("FileTooLarge", ErrorCategory.LimitsExceeded, false),
        // The connection was closed for a broken frame: a server defect that the next item would meet again.
        FtpStatus.MalformedFrame or FtpStatus.UnsupportedVersion or FtpStatus.UnknownRequest or FtpStatus.FrameTooLarge =>
            ("ProtocolError", ErrorCategory.ProtocolError, true),
        _ => ("ServerError", ErrorCategory.NotSpecified, false),
    };

    /// <summary>Keeps the latest progress a transfer reported from its own thread, for the pipeline thread to show.</summary>
    private sealed class LatestProgress : IProgress<FtpTransferProgress>
    {
        private long _done;
        private long _total;

        public (long Done, long Total) Latest => (Interlocked.Read(ref _done), Interlocked.Read(ref _total));

        public void Report(FtpTransferProgress value)
        {
            Interlocked.Exchange(ref _total, value.TotalBytes);
            Interlocked.Exchange(ref _done, value.BytesTransferred);
        }
    }
}
