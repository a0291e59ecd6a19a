namespace PSSocketFtp.Server;

/// <summary>
/// The record of a resumable upload in progress, kept in the bucket (not on a server) so that any server can continue it.
/// </summary>
/// <param name="Id">The client's upload id.</param>
/// <param name="Fingerprint">The values a resume must match (<see cref="PartialUploads.Fingerprint"/>).</param>
/// <param name="Owner">The upload that writes it now; a takeover writes a new one, and the old upload's next step fails.</param>
/// <param name="Key">The multipart upload's key under the server's own partials.</param>
/// <param name="MultipartId">The S3 multipart upload id, whose parts (ListParts) are the bytes held.</param>
internal sealed record S3UploadState(string Id, string Fingerprint, string Owner, string Key, string MultipartId);
