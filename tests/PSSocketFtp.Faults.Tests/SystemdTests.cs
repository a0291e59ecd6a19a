using System.Net;
using System.Net.Sockets;
using System.Text;
using PSSocketFtp.Client;
using PSSocketFtp.TestSupport;

namespace PSSocketFtp.Faults.Tests;

/// <summary>
/// The server as a systemd service (<c>Type=notify</c>, docs/pssocketftp.service) without systemd: the test plays the
/// service manager's part of the notify protocol, a datagram socket named by NOTIFY_SOCKET. Version 10.0 of
/// Microsoft.Extensions.Hosting.Systemd takes a process for a service when its parent is called "systemd" (or when it is
/// PID 1); it does not read SYSTEMD_EXEC_PID. So the server runs under a shell of that name, as systemd starts it.
/// </summary>
public sealed class SystemdTests
{
    private static readonly TimeSpan Bounded = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Terminate_UnderSystemd_NotifiesReadyOnceListeningThenStoppingAndExitsZero()
    {
        string sandbox = Faults.NewSandbox("systemd");
        try
        {
            string root = Path.Join(sandbox, "root");
            Directory.CreateDirectory(root);
            string socketPath = Path.Join(sandbox, "notify");
            using var notify = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            notify.Bind(new UnixDomainSocketEndPoint(socketPath));
            int port = FreePort();
            // What READY promises, checked the moment it arrives: a session can connect and be answered.
            var ready = Task.Run(async () =>
            {
                string message = await ReceiveAsync(notify);
                using var session = await FtpSession.ConnectAsync(Faults.SessionOptions(port, retryCount: 0));
                await session.PingAsync();
                return message;
            });

            await using var server = await ServerProcess.StartAsync(new ServerStart(root)
            {
                Port = port,
                ParentName = "systemd",
                Environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = socketPath },
            });
            Assert.Equal("READY=1", await ready.WaitAsync(Bounded));
            server.Terminate();
            Assert.Equal("STOPPING=1", await ReceiveAsync(notify).WaitAsync(Bounded));
            int code = await server.WaitForExitAsync(Bounded);

            Assert.Equal(0, code);
            Assert.Equal(0, notify.Available);
            // The journal's format, chosen by the same detection: a syslog priority instead of a timestamp and colours.
            Assert.Contains(server.Output, line => line.StartsWith("<6>", StringComparison.Ordinal) && line.Contains("listening on", StringComparison.Ordinal));
            Assert.EndsWith("stopped", server.Output[^1], StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(sandbox, recursive: true);
        }
    }

    private static async Task<string> ReceiveAsync(Socket socket)
    {
        var buffer = new byte[4096];
        int length = await socket.ReceiveAsync(buffer, SocketFlags.None);
        return Encoding.UTF8.GetString(buffer, 0, length);
    }

    /// <summary>A loopback port free a moment ago: the test must know it before the server says READY.</summary>
    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
