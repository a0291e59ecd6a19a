namespace PSSocketFtp.Protocol.Tests.Messages;

/// <summary>Any text a string field can carry: no lone surrogates (which have no UTF-8 form).</summary>
public sealed record WireText(string Value);
