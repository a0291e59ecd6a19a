namespace PSSocketFtp.Server;

/// <summary>What a HEAD of an object tells the S3 store.</summary>
/// <param name="Length">Its bytes.</param>
/// <param name="LastWriteTime">The file's time: the metadata the upload set, else when the bucket stored it.</param>
/// <param name="Modified">When the bucket stored it (the age of a claim).</param>
/// <param name="ETag">Its version, which ranged reads ask for.</param>
/// <param name="IsClaim">Whether it is an upload's claim on its name, not a file.</param>
internal sealed record S3Head(long Length, DateTimeOffset LastWriteTime, DateTimeOffset Modified, string ETag, bool IsClaim);
