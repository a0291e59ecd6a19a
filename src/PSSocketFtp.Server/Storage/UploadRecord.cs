namespace PSSocketFtp.Server;

/// <summary>A line of the upload journal: the id, when, the fingerprint of the values the upload was started with, and its result.</summary>
internal sealed record UploadRecord(string Id, DateTimeOffset Committed, string? Fingerprint, UploadResult Result);
