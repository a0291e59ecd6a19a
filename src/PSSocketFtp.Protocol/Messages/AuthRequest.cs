namespace PSSocketFtp.Protocol.Messages;

/// <summary>AUTH: log in. An absent user name or password reads as empty, which no user store accepts.</summary>
/// <param name="UserName">The user name.</param>
/// <param name="Password">The password, in clear unless the connection uses TLS.</param>
public sealed record AuthRequest(string UserName, string Password) : ControlMessage
{
    /// <inheritdoc />
    public override FrameType Type => FrameType.Auth;

    /// <inheritdoc />
    public override FieldWriter WriteTo(FieldWriter writer) => writer.Add(FieldTag.UserName, UserName).Add(FieldTag.Password, Password);

    /// <summary>Reads an AUTH as the server does.</summary>
    /// <exception cref="FtpException">With <see cref="FtpStatus.MalformedFrame"/>: a field is not valid UTF-8.</exception>
    public static AuthRequest Read(FieldSet fields) =>
        new(fields.TryGetString(FieldTag.UserName) ?? string.Empty, fields.TryGetString(FieldTag.Password) ?? string.Empty);

    /// <summary>Leaves the password out, so that logging a request never writes it.</summary>
    public override string ToString() => $"{nameof(AuthRequest)} {{ {nameof(UserName)} = {UserName} }}";
}
