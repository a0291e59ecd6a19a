using System.Management.Automation;
using PSSocketFtp.Client;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Commands;

/// <summary>
/// What every cmdlet of the module shares: Ctrl+C cancels the client calls in flight, client calls run on the pipeline
/// thread's behalf (so Write* and ShouldProcess stay on that thread), a window keeps several in flight while writing
/// their results in input order, and exceptions become ErrorRecords with stable ids.
/// </summary>
public abstract class FtpCmdlet : PSCmdlet, IDisposable
{
    private const int ProgressActivityId = 1;
    // At most four progress updates a second: enough to watch, too few to cost anything measurable.
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);
    private readonly CancellationTokenSource _stopping = new();
    // The requests started and not yet written, oldest first: writing only the oldest keeps output in input order
    // while the session works on the rest.
    private readonly Queue<Request> _window = new();
    private int _started;
    private int _written;
    private bool _inputEnded;
    // The activity of the progress shown since the window was last empty, to be marked completed when it empties.
    private string? _progressActivity;
    // Retries the session reports while this command runs (on the client's threads), for the pipeline thread to write.
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _retries = new();
    private FtpSession? _watched;
    private bool? _verboseOn;

    /// <summary>The ErrorId of a connection failure; Connect-FtpSocket says ConnectFailed instead.</summary>
    private protected virtual string ConnectionErrorId => "ConnectionLost";

    /// <summary>
    /// Ends the requests still in flight (when the pipeline was stopped between items, EndProcessing never ran) and
    /// releases the cancellation source; PowerShell calls this when the pipeline ends.
    /// </summary>
    public void Dispose()
    {
        Abandon();
        if (_watched is not null)
        {
            _watched.Retrying -= OnRetrying;
        }
        _stopping.Dispose();
    }

    /// <summary>Writes the session's retries as warnings while this command runs (once per command, however often called).</summary>
    private protected void WatchRetries(FtpSession session)
    {
        if (_watched is null)
        {
            _watched = session;
            session.Retrying += OnRetrying;
        }
    }

    /// <summary>Queues a retry's warning; a handler of <see cref="FtpSession.Retrying"/>, called on the client's threads.</summary>
    private protected void OnRetrying(object? sender, FtpRetryEventArgs e) =>
        _retries.Enqueue($"{sender}: try {e.FailedTry} failed ({e.Reason.Message}); trying again in {e.Delay.TotalSeconds:0.0} s.");

    private void WriteRetries()
    {
        while (_retries.TryDequeue(out var warning))
        {
            WriteWarning(warning);
        }
    }

    /// <summary>Cancels the client calls in flight (Ctrl+C, or the pipeline being stopped): they share one token.</summary>
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

    /// <summary>
    /// Runs a client call that hands over its output in batches (on the client's threads) and writes each batch with
    /// <paramref name="write"/> on the pipeline thread as it arrives, a few batches ahead at most; returns the call's
    /// result once every batch was written. Ctrl+C, a downstream command that wants no more (Select-Object -First) or a
    /// failure in <paramref name="write"/> cancels the call and waits for it to end.
    /// </summary>
    private protected TResult CallInBatches<TItem, TResult>(Func<Func<IReadOnlyList<TItem>, Task>, CancellationToken, Task<TResult>> call, Action<IReadOnlyList<TItem>> write)
    {
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        using var handoff = new BatchHandoff<TItem>(BatchesAhead);
        var task = call(batch => handoff.AddAsync(batch, ending.Token), ending.Token);
        var ended = task.ContinueWith(_ => handoff.Complete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            while (handoff.TryTake(_stopping.Token, out var batch))
            {
                write(batch);
            }
            return Wait(task, onTick: null);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
        finally
        {
            if (!task.IsCompleted)
            {
                ending.Cancel();
            }
            // Before the handoff is disposed: the call's last steps and the completion still use it.
            ended.Wait();
        }
    }

    /// <summary>
    /// How many requests <see cref="Start"/> and <see cref="StartTransfer"/> keep in flight at once; the cmdlets that
    /// take -ThrottleLimit return it. With 1 each item waits for its request before the next item is read.
    /// </summary>
    private protected virtual int WindowSize => 1;

    // Batches of a streamed call waiting for the pipeline thread: enough to keep the client reading while a batch is
    // written, few enough that memory stays a few frames' worth.
    private const int BatchesAhead = 4;

    /// <summary>Writes what the requests still in the window produce, in input order, once no input is left.</summary>
    protected sealed override void EndProcessing()
    {
        _inputEnded = true;
        Flush(all: true);
    }

    /// <summary>
    /// Starts a transfer in the window: its result or error is written in input order, once it and every request
    /// before it have ended, and its progress is shown while the pipeline thread waits for it. What the transfer did
    /// (final name, renamed, resumed) goes to the verbose stream just before its result.
    /// </summary>
    /// <remarks><paramref name="output"/>, when given, makes what is written of the result instead of the result itself.</remarks>
    private protected void StartTransfer(object target, string activity, string description, Func<IProgress<FtpTransferProgress>, CancellationToken, Task<FtpTransferResult>> call, Func<FtpTransferResult, object>? output = null)
    {
        var progress = new LatestProgress();
        FtpTransferResult? result = null;
        Enqueue(new Request(target, Output(call(progress, _stopping.Token), ended => output is null ? (result = ended) : output(result = ended) as object), progress, activity, description, _ => Describe(result!)));
    }

    /// <summary>
    /// Starts a client call in the window; an error it ends with is written in input order, and when it succeeded
    /// <paramref name="done"/> goes to the verbose stream (when not null) and <paramref name="output"/> to the output
    /// (when not null), in the same order.
    /// </summary>
    private protected void Start(object target, string? done, Func<CancellationToken, Task> call, object? output = null) =>
        StartCall(target, done, async token =>
        {
            await call(token).ConfigureAwait(false);
            return output;
        });

    /// <summary>
    /// Starts a client call in the window that makes its own output (null writes nothing); returns its task, for calls
    /// that depend on it.
    /// </summary>
    private protected Task<object?> StartCall(object target, string? done, Func<CancellationToken, Task<object?>> call)
    {
        var task = call(_stopping.Token);
        Enqueue(new Request(target, task, progress: null, activity: null, description: null, done is null ? null : _ => done));
        return task;
    }

    /// <summary>
    /// Whether an action that -Force answers (a deletion) goes ahead: -Force skips ShouldProcess unless -WhatIf (which
    /// must only tell) or -Confirm (which asks for it) is in effect.
    /// </summary>
    private protected bool ConfirmedOrForced(bool force, string target, string action) =>
        force && !IsSwitchOn("Confirm") && !WhatIfOn || ShouldProcess(target, action);

    /// <summary>Whether -WhatIf, or $WhatIfPreference, is in effect.</summary>
    private protected bool WhatIfOn => IsSwitchOn("WhatIf", LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference")));

    /// <summary>
    /// Whether this command's verbose stream is written (-Verbose, or $VerbosePreference other than SilentlyContinue or
    /// Ignore), read once per command: a verbose line per item costs its text (a stat, a result's description) even
    /// when PowerShell drops it, which showed in the CPU time per file of a thousand small transfers.
    /// </summary>
    private protected bool VerboseOn => _verboseOn ??= IsSwitchOn("Verbose", !IsQuiet(GetVariableValue("VerbosePreference")));

    // A preference that cannot be read as one counts as not quiet: WriteVerbose then decides, as it always did.
    private static bool IsQuiet(object? preference) =>
        LanguagePrimitives.TryConvertTo(preference, out ActionPreference value) && value is ActionPreference.SilentlyContinue or ActionPreference.Ignore;

    /// <summary>Whether a switch was given and on, else <paramref name="otherwise"/>.</summary>
    private protected bool IsSwitchOn(string name, bool otherwise = false) =>
        MyInvocation.BoundParameters.TryGetValue(name, out var value) ? LanguagePrimitives.IsTrue(value) : otherwise;

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

    /// <summary>
    /// Runs <paramref name="action"/>, turning what it throws into an ErrorRecord about <paramref name="target"/>. The
    /// error goes through the window, so it comes out after the results of the items before it.
    /// </summary>
    private protected void Try(object target, Action action)
    {
        try
        {
            action();
        }
        catch (Exception e) when (Classify(e) is var (_, _, terminating))
        {
            Enqueue(new Request(target, Task.FromException<object?>(e), progress: null, activity: null, description: null, done: null));
            // An error that ends the command comes after what the requests before it produce, as it did one at a time.
            if (terminating)
            {
                Flush(all: true);
            }
        }
        catch
        {
            // Ctrl+C during the item's own calls, or a failure no item could overcome: the requests in flight end too.
            Abandon();
            throw;
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

    /// <summary>
    /// <see cref="ResolveLocalPath"/> of a literal path, without PowerShell's path resolution when the path is a file
    /// system provider path already qualified and normal (the PSPath of Get-ChildItem's output, which binds to
    /// -LiteralPath): resolving it through SessionState.Path checks the drives (reading the mount table) and cost more
    /// CPU per file than a small file's whole transfer.
    /// </summary>
    private protected string ResolveLiteralLocalPath(string path)
    {
        if (path.StartsWith(FileSystemQualifier, StringComparison.OrdinalIgnoreCase))
        {
            string rest = path.Substring(FileSystemQualifier.Length);
            if (System.IO.Path.IsPathRooted(rest) && IsNormalFullPath(rest))
            {
                return rest;
            }
        }
        return ResolveLocalPath(path);
    }

    private const string FileSystemQualifier = @"Microsoft.PowerShell.Core\FileSystem::";

    /// <summary>Whether a path is already full and normal: what PowerShell would resolve it to is itself.</summary>
    private static bool IsNormalFullPath(string path)
    {
        try
        {
            return string.Equals(System.IO.Path.GetFullPath(path), path, StringComparison.Ordinal);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return false;
        }
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
            // The client never needs this thread (it awaits with ConfigureAwait(false)), so blocking it is safe; it
            // wakes a few times a second to write progress and the warnings of retries.
            while (!task.IsCompleted && Task.WaitAny(new Task[] { task }, ProgressInterval) < 0)
            {
                WriteRetries();
                onTick?.Invoke();
            }
            WriteRetries();
            return task.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            throw new PipelineStoppedException();
        }
    }

    private void Enqueue(Request request)
    {
        _window.Enqueue(request);
        _started++;
        Flush(all: false);
    }

    /// <summary>
    /// Writes the oldest requests that have ended, and waits for the oldest while the window is full (with
    /// <paramref name="all"/>, until it is empty). Only the pipeline thread writes, and only from here.
    /// </summary>
    private void Flush(bool all)
    {
        try
        {
            while (_window.Count > 0 && (all || _window.Count >= WindowSize || _window.Peek().Task.IsCompleted))
            {
                Write(_window.Peek());
                _window.Dequeue();
                _written++;
            }
        }
        catch
        {
            // A terminating error, Ctrl+C, or a downstream command that wants no more (Select-Object -First).
            Abandon();
            throw;
        }
        if (_window.Count == 0 && _progressActivity is not null)
        {
            WriteProgress(new ProgressRecord(ProgressActivityId, _progressActivity, "Done") { RecordType = ProgressRecordType.Completed });
            _progressActivity = null;
        }
    }

    private void Write(Request request)
    {
        object? output;
        try
        {
            // A request that ended well after Ctrl+C is not reported either: nothing is written after a stop.
            if (_stopping.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
            output = Wait(request.Task, request.Progress is null ? null : () => ShowProgress(request));
        }
        catch (Exception e) when (Classify(e) is var (errorId, category, terminating))
        {
            var record = new ErrorRecord(e, errorId, category, request.Target);
            if (terminating)
            {
                ThrowTerminatingError(record);
            }
            WriteError(record);
            return;
        }
        // Here rather than where the call ends: WriteVerbose, like every Write*, belongs to the pipeline thread.
        if (request.Done is { } done && VerboseOn)
        {
            WriteVerbose(done(output));
        }
        if (output is not null)
        {
            WriteObject(output);
        }
    }

    private void ShowProgress(Request request)
    {
        var (done, total) = request.Progress!.Latest;
        if (done == request.Shown || total <= 0)
        {
            return;
        }
        request.Shown = done;
        _progressActivity = request.Activity;
        double rate = done / Math.Max(request.Clock.Elapsed.TotalSeconds, 0.001);
        // The input's length is known only once it has ended: until then "of ≥N" counts the items started so far.
        string count = _started > 1 ? $"file {_written + 1} of {(_inputEnded ? "" : "≥")}{_started}: " : "";
        // A new record each time: a host may keep the records it is given and show them later.
        WriteProgress(new ProgressRecord(ProgressActivityId, request.Activity, $"{count}{request.Description}: {done / 1048576.0:N1} of {total / 1048576.0:N1} MB at {rate / 1048576.0:N1} MB/s")
        {
            PercentComplete = (int)(done * 100 / total),
            SecondsRemaining = rate > 0 ? (int)Math.Ceiling((total - done) / rate) : -1,
        });
    }

    /// <summary>
    /// Cancels the requests still in the window and waits for them to end, so that none goes on writing a file after
    /// the command has ended with an error or been stopped; how they end no longer matters.
    /// </summary>
    private void Abandon()
    {
        var running = _window.Select(request => request.Task).Where(task => !task.IsCompleted).ToArray();
        _window.Clear();
        // With none running the token stays as it is: what a command without a window started may still hold it.
        if (running.Length > 0)
        {
            _stopping.Cancel();
            Task.WhenAll(running).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).Wait();
        }
    }

    private static async Task<object?> Output(Task<FtpTransferResult> call, Func<FtpTransferResult, object> output) => output(await call.ConfigureAwait(false));

    private static string Describe(FtpTransferResult result)
    {
        var text = new System.Text.StringBuilder(result.Direction == FtpTransferDirection.Upload
            ? $"Uploaded '{result.LocalPath}' to '{result.RemotePath}'"
            : $"Downloaded '{result.RemotePath}' to '{result.LocalPath}'");
        text.Append(FormattableString.Invariant($": {result.Length} bytes in {result.Duration.TotalSeconds:0.###} s, verified by {result.Algorithm}"));
        if (result.Renamed)
        {
            text.Append($"; the name was taken, so the server renamed it to '{RemotePath.GetName(result.RemotePath)}'");
        }
        if (result.ResumedFrom > 0)
        {
            text.Append(FormattableString.Invariant($"; resumed from byte {result.ResumedFrom}"));
        }
        // The retries themselves happen inside the client, out of the cmdlet's sight: their count is all it learns.
        if (result.Attempts > 1)
        {
            text.Append(FormattableString.Invariant($"; took {result.Attempts} tries"));
        }
        return text.Append('.').ToString();
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

    /// <summary>
    /// A request in the window: what to write it about, its call, for a transfer its progress, and what to say in the
    /// verbose stream once it succeeded.
    /// </summary>
    private sealed class Request
    {
        public Request(object target, Task<object?> task, LatestProgress? progress, string? activity, string? description, Func<object?, string>? done)
        {
            Target = target;
            Task = task;
            Progress = progress;
            Activity = activity ?? string.Empty;
            Description = description ?? string.Empty;
            Done = done;
        }

        public object Target { get; }

        public Task<object?> Task { get; }

        public LatestProgress? Progress { get; }

        public string Activity { get; }

        public string Description { get; }

        /// <summary>Makes the verbose line about the call's output; null when there is nothing to say.</summary>
        public Func<object?, string>? Done { get; }

        /// <summary>Started with the call, so the rate counts the time it ran before the pipeline waited for it.</summary>
        public System.Diagnostics.Stopwatch Clock { get; } = System.Diagnostics.Stopwatch.StartNew();

        /// <summary>The bytes last shown, so a record is written only when more have moved.</summary>
        public long Shown { get; set; } = -1;
    }

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
