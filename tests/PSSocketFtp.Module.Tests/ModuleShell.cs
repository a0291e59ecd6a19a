using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace PSSocketFtp.Module.Tests;

/// <summary>A runspace of its own with the built module imported, as a user's session would have it.</summary>
public sealed class ModuleShell : IDisposable
{
    private readonly Runspace _runspace;

    public ModuleShell()
    {
        _runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        _runspace.Open();
        // pwsh loads these from its Modules folder; a hosted PowerShell has only what it is given.
        Run(
            "Import-Module -Assembly $args[0], $args[1] -ErrorAction Stop; Import-Module $args[2] -ErrorAction Stop",
            typeof(Microsoft.PowerShell.Commands.GetChildItemCommand).Assembly,
            typeof(Microsoft.PowerShell.Commands.SortObjectCommand).Assembly,
            TestPaths.Module);
    }

    /// <summary>Runs a script with <c>$args</c>; returns its output (base objects) and the non-terminating errors it wrote.</summary>
    public (IReadOnlyList<object> Output, IReadOnlyList<ErrorRecord> Errors) Run(string script, params object[] args)
    {
        using var shell = Create(script, args);
        Collection<PSObject> output = shell.Invoke();
        return (output.Select(item => item.BaseObject).ToList(), shell.Streams.Error.ToList());
    }

    /// <summary>Runs a script whose single output is of type <typeparamref name="T"/>.</summary>
    public T RunSingle<T>(string script, params object[] args)
    {
        var (output, errors) = Run(script, args);
        Assert.Empty(errors);
        return Assert.IsType<T>(Assert.Single(output), exactMatch: false);
    }

    /// <summary>Runs a command that must stop with an error (it is given -ErrorAction Stop) and returns that error.</summary>
    public ErrorRecord RunFailing(string command, params object[] args) =>
        RunSingle<ErrorRecord>($"try {{ {command} -ErrorAction Stop; 'no error' }} catch {{ $_ }}", args);

    /// <summary>A PowerShell on this runspace, for tests that drive it themselves (stopping it, for one).</summary>
    public PowerShell Create(string script, params object[] args)
    {
        var shell = PowerShell.Create();
        shell.Runspace = _runspace;
        shell.AddScript(script);
        foreach (object arg in args)
        {
            shell.AddArgument(arg);
        }
        return shell;
    }

    public void Dispose() => _runspace.Dispose();
}
