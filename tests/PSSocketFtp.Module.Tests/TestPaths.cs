using System.Reflection;

namespace PSSocketFtp.Module.Tests;

/// <summary>Paths the build wrote into this assembly (see the project file).</summary>
internal static class TestPaths
{
    public static string Module => Metadata("ModulePath");

    private static string Metadata(string key) =>
        typeof(TestPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"The build did not record {key}.");
}
