using System.Net;

namespace PSSocketFtp.Server.Tests;

/// <summary>The PROXY protocol header parser on its own: version 2 (binary) and version 1 (text).</summary>
public sealed class ProxyHeaderParserTests
{
    private static readonly byte[] After = [0x50, 0x53, 0x46, 0x54];

    private static byte[] Join(byte[] header, byte[] rest) => [.. header, .. rest];

    [Fact]
    public void Parse_V2Tcp4_ReturnsSourceAndHeaderLength()
    {
        var header = ProxyHeaders.V2Proxy("203.0.113.9", 51234);

        var result = ProxyHeaderParser.Parse(Join(header, After));

        Assert.Equal(ProxyHeaderStatus.Parsed, result.Status);
        Assert.Equal(header.Length, result.Length);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.9"), 51234), result.Source);
    }

    [Fact]
    public void Parse_V2Tcp6_ReturnsSource()
    {
        var header = ProxyHeaders.V2Proxy("2001:db8::7", 443);

        var result = ProxyHeaderParser.Parse(header);

        Assert.Equal(ProxyHeaderStatus.Parsed, result.Status);
        Assert.Equal(28 + 16 + 8, result.Length);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::7"), 443), result.Source);
    }

    [Fact]
    public void Parse_V2WithTlvs_SkipsThemAndCountsThemInTheLength()
    {
        // PP2_TYPE_UNIQUE_ID (0x05), 3 bytes, then PP2_TYPE_NOOP (0x04), 0 bytes.
        byte[] tlvs = [0x05, 0x00, 0x03, 0x61, 0x62, 0x63, 0x04, 0x00, 0x00];
        var header = ProxyHeaders.V2Proxy(new IPEndPoint(IPAddress.Parse("198.51.100.4"), 1000), new IPEndPoint(IPAddress.Loopback, 7021), tlvs);

        var result = ProxyHeaderParser.Parse(Join(header, After));

        Assert.Equal(ProxyHeaderStatus.Parsed, result.Status);
        Assert.Equal(16 + 12 + tlvs.Length, result.Length);
        Assert.Equal(IPAddress.Parse("198.51.100.4"), result.Source!.Address);
    }

    [Fact]
    public void Parse_V2Local_ParsedWithoutSource()
    {
        var result = ProxyHeaderParser.Parse(Join(ProxyHeaders.V2Local(), After));

        Assert.Equal(ProxyHeaderStatus.Parsed, result.Status);
        Assert.Equal(16, result.Length);
        Assert.Null(result.Source);
    }

    [Fact]
    public void Parse_V2LocalWithAddresses_IgnoresThem()
    {
        var proxy = ProxyHeaders.V2Proxy("203.0.113.9");
        proxy[12] = 0x20;

        var result = ProxyHeaderParser.Parse(proxy);

        Assert.Equal(ProxyHeaderStatus.Parsed, result.Status);
        Assert.Null(result.Source);
    }

    [Theory]
    [InlineData(0x00)] // UNSPEC
    [InlineData(0x31)] // Unix stream
    [InlineData(0x12)] // UDP over IPv4
    public void Parse_V2ProxyOtherFamily_ParsedWithoutSource(byte familyTransport)
    {
        var header = ProxyHeaders.V2(0x21, familyTransport, new byte[216]);

        var result = ProxyHeaderParser.Parse(header);

        Assert.Equal(ProxyHeaderStatus.Parsed, result.Status);
        Assert.Equal(16 + 216, result.Length);
        Assert.Null(result.Source);
    }

    [Fact]
    public void Parse_HandshakeInsteadOfHeader_Invalid()
    {
        var hello = new byte[PSSocketFtp.Protocol.ProtocolConstants.HandshakeSize];
        PSSocketFtp.Protocol.Handshake.WriteHello(hello);

        var result = ProxyHeaderParser.Parse(hello);

        Assert.Equal(ProxyHeaderStatus.Invalid, result.Status);
    }

    [Fact]
    public void Parse_BadSignature_Invalid()
    {
        var header = ProxyHeaders.V2Proxy("203.0.113.9");
        header[11] = 0x0B;

        Assert.Equal(ProxyHeaderStatus.Invalid, ProxyHeaderParser.Parse(header).Status);
    }

    [Fact]
    public void Parse_V2EveryTruncation_Incomplete()
    {
        var header = ProxyHeaders.V2Proxy("2001:db8::7");

        for (int length = 0; length < header.Length; length++)
        {
            Assert.Equal(ProxyHeaderStatus.Incomplete, ProxyHeaderParser.Parse(header.AsSpan(0, length)).Status);
        }
    }

    [Fact]
    public void Parse_V2LongerThanLimit_InvalidBeforeItArrives()
    {
        var header = ProxyHeaders.V2(0x21, 0x11, new byte[ProxyHeaderParser.MaxV2PayloadLength + 1]);

        var result = ProxyHeaderParser.Parse(header.AsSpan(0, 16));

        Assert.Equal(ProxyHeaderStatus.Invalid, result.Status);
        Assert.Contains("537", result.Error);
    }

    [Fact]
    public void Parse_V2AtLimit_Parsed()
    {
        var header = ProxyHeaders.V2(0x21, 0x11, new byte[ProxyHeaderParser.MaxV2PayloadLength]);

        Assert.Equal(ProxyHeaderStatus.Parsed, ProxyHeaderParser.Parse(header).Status);
    }

    [Theory]
    [InlineData(0x11)] // version 1 in the binary form
    [InlineData(0x22)] // command 2
    public void Parse_V2BadVersionOrCommand_Invalid(byte versionCommand)
    {
        var header = ProxyHeaders.V2Proxy("203.0.113.9");
        header[12] = versionCommand;

        Assert.Equal(ProxyHeaderStatus.Invalid, ProxyHeaderParser.Parse(header).Status);
    }

    [Fact]
    public void Parse_V2Tcp4TooShortForAddresses_Invalid()
    {
        var header = ProxyHeaders.V2(0x21, 0x11, new byte[11]);

        Assert.Equal(ProxyHeaderStatus.Invalid, ProxyHeaderParser.Parse(header).Status);
    }

    [Fact]
    public void Parse_V1Tcp4_ReturnsSource()
    {
        var header = ProxyHeaders.V1("PROXY TCP4 192.0.2.10 127.0.0.1 56324 7021\r\n");

        var result = ProxyHeaderParser.Parse(Join(header, After));

        Assert.Equal(ProxyHeaderStatus.Parsed, result.Status);
        Assert.Equal(header.Length, result.Length);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.10"), 56324), result.Source);
    }

    [Fact]
    public void Parse_V1Tcp6_ReturnsSource()
    {
        var result = ProxyHeaderParser.Parse(ProxyHeaders.V1("PROXY TCP6 2001:db8::1 ::1 4000 7021\r\n"));

        Assert.Equal(new IPEndPoint(IPAddress.Parse("2001:db8::1"), 4000), result.Source);
    }

    [Fact]
    public void Parse_V1Unknown_ParsedWithoutSource()
    {
        var header = ProxyHeaders.V1("PROXY UNKNOWN\r\n");

        var result = ProxyHeaderParser.Parse(Join(header, After));

        Assert.Equal(ProxyHeaderStatus.Parsed, result.Status);
        Assert.Equal(header.Length, result.Length);
        Assert.Null(result.Source);
    }

    [Fact]
    public void Parse_V1WithoutLineEnd_Incomplete()
    {
        Assert.Equal(ProxyHeaderStatus.Incomplete, ProxyHeaderParser.Parse(ProxyHeaders.V1("PROXY TCP4 192.0.2.10 127.")).Status);
        Assert.Equal(ProxyHeaderStatus.Incomplete, ProxyHeaderParser.Parse(ProxyHeaders.V1("PRO")).Status);
    }

    [Fact]
    public void Parse_V1LongerThanLimit_Invalid()
    {
        var header = ProxyHeaders.V1("PROXY UNKNOWN " + new string('x', ProxyHeaderParser.MaxV1Length) + "\r\n");

        Assert.Equal(ProxyHeaderStatus.Invalid, ProxyHeaderParser.Parse(header).Status);
    }

    [Theory]
    [InlineData("PROXY TCP4 192.0.2.10 127.0.0.1 56324\r\n")]
    [InlineData("PROXY TCP4 2001:db8::1 127.0.0.1 56324 7021\r\n")]
    [InlineData("PROXY TCP4 192.0.2.10 127.0.0.1 65536 7021\r\n")]
    [InlineData("PROXY TCP4 192.0.2.10 127.0.0.1 -1 7021\r\n")]
    [InlineData("PROXY UDP4 192.0.2.10 127.0.0.1 1 7021\r\n")]
    public void Parse_V1Malformed_Invalid(string line)
    {
        Assert.Equal(ProxyHeaderStatus.Invalid, ProxyHeaderParser.Parse(ProxyHeaders.V1(line)).Status);
    }
}
