namespace PSSocketFtp.Client;

/// <summary>A download's partial file: its sidecar, read at each try and rewritten at each READY.</summary>
internal sealed class PartialState(string sidecarPath, string remote)
{
    public string SidecarPath { get; } = sidecarPath;

    /// <summary>The record, when it is about this remote file.</summary>
    public PartialRecord? Read() => PartialRecord.TryRead(SidecarPath) is { } record && record.RemotePath == remote ? record : null;

    public void Write(PartialRecord record) => record.Write(SidecarPath);

    public void Forget() => PartialFiles.TryDelete(SidecarPath);
}
