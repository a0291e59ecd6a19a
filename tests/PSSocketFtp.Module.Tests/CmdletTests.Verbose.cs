using System.Text.RegularExpressions;

namespace PSSocketFtp.Module.Tests;

/// <summary>-Verbose says what each cmdlet resolved and did, and through which session.</summary>
public sealed partial class CmdletTests
{
    [Fact]
    public void ConnectFtpSocket_Verbose_SaysHostPortTlsProtocolVersionAndServer()
    {
        var lines = Verbose("Connect-FtpSocket 127.0.0.1 -Port $args[0] -Verbose", _server.Port);

        Assert.Contains($"Connecting to 127.0.0.1:{_server.Port} without TLS, anonymously.", lines);
        Assert.Contains(lines, line => Regex.IsMatch(line, $@"^Connected to 127\.0\.0\.1:{_server.Port} without TLS: protocol version \d+, server '[^']+'; now the default session\.$"));
    }

    [Fact]
    public void DisconnectFtpSocket_DefaultWithVerbose_SaysWhichSessionItClosedAndThatNoDefaultIsLeft()
    {
        Connect();

        var lines = Verbose("Disconnect-FtpSocket -Verbose");

        Assert.Contains($"Closed the session to 127.0.0.1:{_server.Port}; there is no default session now.", lines);
    }

    [Fact]
    public void SendFtpFile_Verbose_SaysSessionLocalAndRemotePathsAndSize()
    {
        Connect();
        string file = LocalFile("told.bin", 1234);

        var lines = Verbose("Send-FtpFile $args[0] -Destination $args[1] -Verbose", file, _remote + "/");

        Assert.Equal($"Using the default session, to 127.0.0.1:{_server.Port}.", lines[0]);
        Assert.Contains($"Uploading '{file}' (1234 bytes) to '{_remote}/'.", lines);
        Assert.Contains(lines, line => line.StartsWith($"Uploaded '{file}' to '{_remote}/told.bin': 1234 bytes in ", StringComparison.Ordinal) && line.EndsWith(" s, verified by XXH128.", StringComparison.Ordinal));
    }

    [Fact]
    public void SendFtpFile_SameNameTwiceWithVerbose_SaysTheFinalNameAndThatTheServerRenamedIt()
    {
        Connect();
        string file = LocalFile("twice.txt", 10);
        Send(file);

        var lines = Verbose("Send-FtpFile $args[0] -Destination $args[1] -Verbose", file, _remote + "/");

        Assert.Contains(lines, line => line.StartsWith($"Uploaded '{file}' to '{_remote}/twice_1.txt'", StringComparison.Ordinal)
            && line.Contains("the name was taken, so the server renamed it to 'twice_1.txt'", StringComparison.Ordinal));
    }

    [Fact]
    public void SendFtpFile_ManyFilesWithVerbose_SaysEachUploadWhenItsResultIsWritten()
    {
        Connect();
        var files = Enumerable.Range(0, 10).Select(i => LocalFile($"v{i}.bin", 100 + i)).ToArray();

        var lines = Verbose("$args[0] | Send-FtpFile -Destination $args[1] -Verbose", files, _remote + "/");

        // In input order, as the results: each line is written on the pipeline thread just before its result.
        Assert.Equal(files.Select(f => $"{_remote}/{Path.GetFileName(f)}"), lines.Where(line => line.StartsWith("Uploaded ", StringComparison.Ordinal)).Select(line => line.Split('\'')[3]));
    }

    [Fact]
    public void ReceiveFtpFile_Verbose_SaysRemoteAndLocalPathsAndSize()
    {
        Connect();
        Send(LocalFile("fetch.bin", 4321));
        string target = Directory.CreateDirectory(Path.Join(_local, "down")).FullName;
        string local = Path.Join(target, "fetch.bin");

        var lines = Verbose("Receive-FtpFile $args[0] -Destination $args[1] -Verbose", _remote + "/fetch.bin", target);

        Assert.Contains($"Downloading '{_remote}/fetch.bin' to '{local}'.", lines);
        Assert.Contains(lines, line => line.StartsWith($"Downloaded '{_remote}/fetch.bin' to '{local}': 4321 bytes in ", StringComparison.Ordinal));
    }

    [Fact]
    public void RemoveFtpItem_Verbose_SaysWhatItRemoved()
    {
        Connect();
        Send(LocalFile("gone.bin", 5), "/sub/");

        var lines = Verbose("Remove-FtpItem $args[0] -Recurse -Force -Verbose", _remote + "/sub");

        Assert.Contains($"Removed '{_remote}/sub' with all its content.", lines);
    }

    [Fact]
    public void GetFtpItem_Verbose_SaysWhichFolderItListedAndHowManyItems()
    {
        Connect();
        Send(LocalFile("a.log", 1));
        Send(LocalFile("b.log", 2));
        Send(LocalFile("c.txt", 3));

        var listed = Verbose("Get-FtpItem $args[0] -Verbose", _remote);
        var matched = Verbose("Get-FtpItem $args[0] -Verbose", _remote + "/*.log");

        Assert.Contains($"Listed '{_remote}': 3 items.", listed);
        Assert.Contains($"Listed '{_remote}': 2 of 3 items match '*.log'.", matched);
    }

    [Fact]
    public void GetFtpItemSize_SessionParameterWithVerbose_SaysItUsesThatSession()
    {
        _shell.Run("$global:aside = Connect-FtpSocket 127.0.0.1 -Port $args[0] -NoDefault", _server.Port);

        var lines = Verbose("Get-FtpItemSize / -Session $aside -Verbose");

        Assert.Contains($"Using the session to 127.0.0.1:{_server.Port} given by -Session.", lines);
    }

    /// <summary>Runs a script and returns what it wrote to the verbose stream; it must write no error.</summary>
    private IReadOnlyList<string> Verbose(string script, params object[] args)
    {
        using var shell = _shell.Create(script, args);
        shell.Invoke();
        Assert.Empty(shell.Streams.Error);
        return shell.Streams.Verbose.Select(record => record.Message).ToList();
    }
}
