using System.Management.Automation;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PSSocketFtp.Commands;

/// <summary>
/// Makes our dependencies load from the module's <c>dependencies</c> folder when the module is imported, so that
/// another module's Polly (or ours in theirs) never clashes, and removes the hooks when the module is removed.
/// </summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer, IModuleAssemblyCleanup
{
    private static readonly object Gate = new();
    private static readonly bool IsNetFramework = RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal);
    private static readonly string DependencyFolder =
        Path.Combine(Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!, "dependencies");

    private static bool _hooked;

    /// <summary>Installs the resolver; importing the module again (or in another runspace) does not add a second one.</summary>
    public void OnImport()
    {
        lock (Gate)
        {
            if (_hooked)
            {
                return;
            }
            if (IsNetFramework)
            {
                AppDomain.CurrentDomain.AssemblyResolve += ResolveOnFramework;
            }
            else
            {
                HookCore();
            }
            _hooked = true;
        }
    }

    /// <summary>Removes the resolver.</summary>
    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        lock (Gate)
        {
            if (!_hooked)
            {
                return;
            }
            if (IsNetFramework)
            {
                AppDomain.CurrentDomain.AssemblyResolve -= ResolveOnFramework;
            }
            else
            {
                UnhookCore();
            }
            _hooked = false;
        }
    }

    // On .NET Framework there are no load contexts: load whatever is asked for from our folder when the default probing
    // failed, which also stands in for the binding redirects a module cannot ship.
    private static Assembly? ResolveOnFramework(object? sender, ResolveEventArgs args)
    {
        string path = Path.Combine(DependencyFolder, new AssemblyName(args.Name).Name + ".dll");
        return File.Exists(path) ? Assembly.LoadFrom(path) : null;
    }

    // The two methods below are the only ones that name AssemblyLoadContext types. Not inlined, so that the .NET
    // Framework, which lacks those types, never compiles them.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void HookCore() => DependencyLoadContext.Hook(DependencyFolder);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void UnhookCore() => DependencyLoadContext.Unhook();
}
