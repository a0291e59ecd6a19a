namespace PSSocketFtp.Server;

/// <summary>Where an upload ended up.</summary>
/// <param name="Path">The final normalized remote path.</param>
/// <param name="Length">Bytes stored.</param>
/// <param name="Renamed">Whether the duplicate-name rule chose another name.</param>
/// <param name="HashAlgorithm">The wire name of the hash the body was checked with, or null.</param>
/// <param name="Hash">The whole file's hash, or null.</param>
internal sealed record UploadResult(string Path, long Length, bool Renamed, string? HashAlgorithm = null, byte[]? Hash = null);
