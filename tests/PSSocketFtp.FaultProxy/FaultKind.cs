namespace PSSocketFtp.FaultProxy;

/// <summary>What the proxy does to a connection at a chosen byte.</summary>
public enum FaultKind
{
    /// <summary>Closes both sides abruptly (a reset, no orderly shutdown).</summary>
    Cut,

    /// <summary>Stops forwarding for a while, then cuts or carries on.</summary>
    Stall,

    /// <summary>Replaces one byte with a different value and carries on.</summary>
    Flip,
}

/// <summary>Which way the bytes go through the proxy.</summary>
public enum Direction
{
    /// <summary>From the client to the target.</summary>
    ToTarget,

    /// <summary>From the target back to the client.</summary>
    ToClient,
}
