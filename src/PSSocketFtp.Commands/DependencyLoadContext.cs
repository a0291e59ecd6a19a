using System.Reflection;
using System.Runtime.Loader;

namespace PSSocketFtp.Commands;

/// <summary>
/// PowerShell 7 only: the load context of our dependencies. The cmdlet assembly lives in the default context; when it
/// asks for one of our own assemblies (PSSocketFtp.*), which the default context cannot find, the request is sent
/// here, and everything those assemblies need loads here too, from our folder, isolated from other modules.
/// </summary>
internal sealed class DependencyLoadContext : AssemblyLoadContext
{
    private const string OwnPrefix = "PSSocketFtp.";
    private const string CoreBuildFolder = "net8.0";
    private static DependencyLoadContext? _instance;

    private readonly string _folder;
    private readonly Dictionary<string, string> _platformAssemblies;

    private DependencyLoadContext(string folder)
    {
        _folder = folder;
        _platformAssemblies = ReadTrustedPlatformAssemblies();
    }

    /// <summary>Sends the default context's failed look-ups of our assemblies here.</summary>
    public static void Hook(string folder)
    {
        // One context per process: the cmdlet assembly is loaded once, so a second import must bind to the same types.
        _instance ??= new DependencyLoadContext(folder);
        Default.Resolving += ResolveOwn;
    }

    /// <summary>Stops sending look-ups here; assemblies already loaded stay loaded.</summary>
    public static void Unhook() => Default.Resolving -= ResolveOwn;

    /// <inheritdoc />
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        string name = assemblyName.Name ?? string.Empty;
        // What the process already has (System.Memory and friends in the shared framework, or our protocol assembly in
        // a host that ships it) must come from the default context, where the cmdlet assembly finds it too: a second
        // copy here would split types such as Span<T> or FtpException between the two contexts.
        if (IsTrustedPlatformAssembly(name, assemblyName.Version))
        {
            return null;
        }
        // A package's build for .NET 8 and later, where the module ships one, before its netstandard2.0 build.
        string? path = new[] { Path.Combine(_folder, CoreBuildFolder, name + ".dll"), Path.Combine(_folder, name + ".dll") }.FirstOrDefault(File.Exists);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    private static Assembly? ResolveOwn(AssemblyLoadContext context, AssemblyName assemblyName) =>
        _instance is { } instance && IsOwn(assemblyName.Name) && File.Exists(Path.Combine(instance._folder, assemblyName.Name + ".dll"))
            ? instance.LoadFromAssemblyName(assemblyName)
            : null;

    private static bool IsOwn(string? name) => name is not null && name.StartsWith(OwnPrefix, StringComparison.OrdinalIgnoreCase);

    private bool IsTrustedPlatformAssembly(string name, Version? requested)
    {
        if (!_platformAssemblies.TryGetValue(name, out var path))
        {
            return false;
        }
        try
        {
            return requested is null || AssemblyName.GetAssemblyName(path).Version >= requested;
        }
        catch (Exception e) when (e is IOException or BadImageFormatException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static Dictionary<string, string> ReadTrustedPlatformAssemblies()
    {
        var assemblies = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string list)
        {
            foreach (string path in list.Split(new[] { Path.PathSeparator }, StringSplitOptions.RemoveEmptyEntries))
            {
                assemblies[Path.GetFileNameWithoutExtension(path)] = path;
            }
        }
        return assemblies;
    }
}
