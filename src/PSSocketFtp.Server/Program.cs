return await PSSocketFtp.Server.FtpServerHost.RunAsync(args);
