using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace PSSocketFtp.HelpCompiler;

/// <summary>The module's cmdlets as PowerShell itself sees them once imported: parameter sets, positions, pipeline input, aliases.</summary>
internal static class ModuleCommands
{
    public static IReadOnlyList<CmdletInfo> Read(string manifest)
    {
        using var shell = PowerShell.Create(InitialSessionState.CreateDefault2());
        shell.AddCommand("Import-Module").AddParameter("Name", Path.GetFullPath(manifest)).AddParameter("PassThru").AddParameter("ErrorAction", "Stop");
        var module = (PSModuleInfo)shell.Invoke().Single().BaseObject;
        return module.ExportedCmdlets.Values.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
    }
}
