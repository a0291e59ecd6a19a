namespace PSSocketFtp.HelpCompiler;

/// <summary>Documentation that is missing or malformed; the build fails with its message.</summary>
internal sealed class HelpException(string message) : Exception(message);
