using System.Net.Sockets;
using System.Runtime.InteropServices;
using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server.Tests;

/// <summary>FIFOs, sockets and links to them: neither files nor folders, so never offered, and refused by name.</summary>
public class SpecialFileTests
{
    [Theory]
    [InlineData("", false)]
    [InlineData("", true)]
    [InlineData("sub", false)]
    public async Task ListStatDownload_SpecialFiles_ListOffersOnlyWhatStatAndDownloadServe(string folder, bool recursive)
    {
        if (!OperatingSystem.IsLinux())
        {
            // mkfifo(3) and Unix sockets in a folder: Linux only here; xunit 2 cannot skip at run time.
            return;
        }
        await using var server = await TestServer.StartAsync();
        Directory.CreateDirectory(server.FullPath("sub"));
        foreach (string place in new[] { "", "sub" })
        {
            File.WriteAllText(server.FullPath(RemotePath.Combine(place, "plain.txt")), "plain");
            MakeFifo(server.FullPath(RemotePath.Combine(place, "fifo")));
            File.CreateSymbolicLink(server.FullPath(RemotePath.Combine(place, "fifo-link")), "fifo");
        }
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(server.FullPath("socket")));
        using var client = await server.ConnectAsync();

        var listing = await ExchangeTests.ListAsync(client, folder, recursive);
        var served = new List<string>();
        foreach (string item in new[] { "plain.txt", "fifo", "fifo-link", "socket" }.Select(n => RemotePath.Combine(folder, n)))
        {
            var stat = await Jail.RunAsync(client, Operation.Stat, item);
            var download = await Jail.RunAsync(client, Operation.Download, item);
            if (stat.Refused)
            {
                Assert.Contains(stat.Status, new[] { FtpStatus.AccessDenied, FtpStatus.NotFound });
                Assert.True(download.Refused, $"{item}: STAT refused it, DOWNLOAD served it");
                continue;
            }
            Assert.Equal(FrameType.End, download.Type);
            served.Add(item);
        }

        Assert.Equal([RemotePath.Combine(folder, "plain.txt")], served);
        string[] expected = (folder, recursive) switch
        {
            ("", false) => ["plain.txt", "sub"],
            ("", true) => ["plain.txt", "sub", "sub/plain.txt"],
            _ => ["sub/plain.txt"],
        };
        Assert.Equal(expected, listing.Select(e => e.Path));
    }

    private static void MakeFifo(string path)
    {
        if (mkfifo(path, Convert.ToUInt32("644", 8)) != 0)
        {
            throw new IOException($"mkfifo failed (errno {Marshal.GetLastPInvokeError()}).");
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int mkfifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);
}
