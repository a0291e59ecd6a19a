namespace PSSocketFtp.Server;

/// <summary>The client went away (or the server is stopping) in the middle of something: the session just ends.</summary>
internal sealed class ConnectionEndedException(string message) : Exception(message);
