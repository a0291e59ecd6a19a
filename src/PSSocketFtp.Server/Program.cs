if (args is [PSSocketFtp.Server.AddUserCommand.Name, .. var rest])
{
    return PSSocketFtp.Server.AddUserCommand.Run(rest, Console.In, Console.Out, Console.Error);
}
return await PSSocketFtp.Server.FtpServerHost.RunAsync(args);
