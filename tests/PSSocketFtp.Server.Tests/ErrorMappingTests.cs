using PSSocketFtp.Protocol;

namespace PSSocketFtp.Server.Tests;

public class ErrorMappingTests
{
    [Fact]
    public void ToStatus_RealDiskFullError_InsufficientStorage()
    {
        if (!OperatingSystem.IsLinux())
        {
            // Only Linux has /dev/full, a device that always answers "no space left"; xunit 2 cannot skip at run time.
            return;
        }
        using var full = new FileStream("/dev/full", FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0);

        var error = Assert.ThrowsAny<IOException>(() => full.Write(new byte[4096]));

        Assert.Equal(FtpStatus.InsufficientStorage, ErrorMapping.ToStatus(error));
    }

    [Fact]
    public void ToStatus_FileSystemExceptions_MappedToProtocolStatus()
    {
        Assert.Equal(FtpStatus.NotFound, ErrorMapping.ToStatus(new FileNotFoundException()));
        Assert.Equal(FtpStatus.NotFound, ErrorMapping.ToStatus(new DirectoryNotFoundException()));
        Assert.Equal(FtpStatus.AccessDenied, ErrorMapping.ToStatus(new UnauthorizedAccessException()));
        Assert.Equal(FtpStatus.InternalError, ErrorMapping.ToStatus(new IOException("other")));
        Assert.Equal(FtpStatus.InternalError, ErrorMapping.ToStatus(new InvalidOperationException()));
    }

    [Fact]
    public void ToMessage_SystemException_DoesNotRevealServerPaths()
    {
        var error = new FileNotFoundException("Could not find file '/srv/secret/root/a.txt'.");

        string message = ErrorMapping.ToMessage(error, ErrorMapping.ToStatus(error), "a.txt");

        Assert.Equal("'/a.txt' does not exist.", message);
    }
}
