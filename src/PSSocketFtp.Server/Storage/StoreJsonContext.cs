using System.Text.Json.Serialization;

namespace PSSocketFtp.Server;

/// <summary>The store's own files, serialized without reflection.</summary>
[JsonSerializable(typeof(UploadRecord))]
[JsonSerializable(typeof(S3UploadState))]
internal sealed partial class StoreJsonContext : JsonSerializerContext;
