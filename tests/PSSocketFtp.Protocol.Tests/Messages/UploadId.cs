namespace PSSocketFtp.Protocol.Tests.Messages;

/// <summary>An id within the protocol's rule: 1-64 characters of A-Z a-z 0-9 - _.</summary>
public sealed record UploadId(string Value);
