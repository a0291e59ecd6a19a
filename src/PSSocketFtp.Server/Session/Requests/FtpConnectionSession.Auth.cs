using PSSocketFtp.Protocol;
using PSSocketFtp.Protocol.Messages;

namespace PSSocketFtp.Server;

/// <summary>The session's AUTH request and the refusal of requests before a login.</summary>
internal sealed partial class FtpConnectionSession
{
    /// <summary>After this many failed logins the connection is closed.</summary>
    internal const int MaxLoginFailures = 5;

    private readonly LoginState _login = new();
    // Paces and caps password checks for the whole server, and remembers failures per client network (Security/LoginGuard.cs).
    private readonly LoginGuard _logins;

    /// <summary>
    /// Answers an AUTH, or refuses a request that came before a login. Returns false when the connection is to be closed
    /// (too many failed logins).
    /// </summary>
    private async Task<bool> AuthorizeAsync(FrameType type, uint stream, FieldSet fields)
    {
        if (type != FrameType.Auth)
        {
            SessionLog.RefusedBeforeLogin(_logger, _peer, type);
            await _frames.SendAsync(stream, FrameChannel.ErrorAnswerOf(FtpStatus.Unauthorized, "The server requires a login: send AUTH with a user name and password first."));
            return true;
        }
        var (user, password) = AuthRequest.Read(fields);
        if (_options.Users is not { } users)
        {
            // Anonymous server: every login succeeds, so that a client configured with a credential still works.
            _login.LoggedIn = true;
            await _frames.SendAsync(stream, EmptyMessage.Ok);
            return true;
        }
        switch (await _logins.CheckAsync(_connection.RemoteEndPoint, () => users.Verify(user, password), _deadlines.LoginTimeLeft(), _aborted))
        {
            case LoginGuard.Outcome.Busy:
                SessionLog.LoginNotChecked(_logger, _peer, ClientText.Of(user));
                await _frames.SendAsync(stream, FrameChannel.ErrorAnswerOf(FtpStatus.ServerBusy, "The server has too many logins to check at once, in all or from this address; try again in a moment."));
                return true;
            case LoginGuard.Outcome.Success:
                _login.LoggedIn = true;
                _login.Failures = 0;
                _deadlines.MarkReady();
                SessionLog.LoggedIn(_logger, _peer, ClientText.Of(user));
                await _frames.SendAsync(stream, EmptyMessage.Ok);
                return true;
        }
        if (_login.LoggedIn)
        {
            // No longer logged in: the connection has its login time again, no more.
            _login.LoggedIn = false;
            _deadlines.StartLoginClock();
        }
        int failures = ++_login.Failures;
        SessionLog.LoginFailed(_logger, _peer, ClientText.Of(user), failures);
        if (failures >= MaxLoginFailures)
        {
            SessionLog.TooManyLoginFailures(_logger, _peer, failures);
            await _frames.CloseWithErrorAsync(FtpStatus.Unauthorized, "Too many failed logins; the connection is closed.");
            return false;
        }
        // The same answer whether the user exists or not.
        await _frames.SendAsync(stream, FrameChannel.ErrorAnswerOf(FtpStatus.Unauthorized, "The user name or password is wrong."));
        return true;
    }

    /// <summary>Whether the connection has logged in, and how often it failed to.</summary>
    private sealed class LoginState
    {
        public bool LoggedIn { get; set; }

        public int Failures { get; set; }
    }
}
