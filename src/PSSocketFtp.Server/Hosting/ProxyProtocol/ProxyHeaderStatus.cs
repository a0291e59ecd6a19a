namespace PSSocketFtp.Server;

/// <summary>Whether the start of a connection holds a PROXY protocol header.</summary>
internal enum ProxyHeaderStatus
{
    /// <summary>So far the bytes could be a header: read more.</summary>
    Incomplete,

    /// <summary>A whole, valid header.</summary>
    Parsed,

    /// <summary>No header, or a broken one.</summary>
    Invalid,
}
