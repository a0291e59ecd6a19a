using System.Xml.Linq;
using PSSocketFtp.HelpCompiler;

// dotnet PSSocketFtp.HelpCompiler.dll <module manifest> <Commands XML documentation> <output MAML file>
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: PSSocketFtp.HelpCompiler <module manifest> <Commands XML documentation> <output MAML file>");
    return 2;
}
try
{
    var documentation = new DocComments(XDocument.Load(args[1]));
    var commands = ModuleCommands.Read(args[0]);
    var maml = new MamlWriter(documentation).Write(commands);
    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(args[2]))!);
    maml.Save(args[2]);
    Console.WriteLine($"Help for {commands.Count} cmdlets written to {args[2]}.");
    return 0;
}
catch (HelpException e)
{
    // A cmdlet without a synopsis or a parameter without a description fails the build, so help never ships half done.
    Console.Error.WriteLine($"error PSFTPHELP: {e.Message}");
    return 1;
}
