using System.Management.Automation;

namespace PSSocketFtp.Module.Tests;

internal static class Errors
{
    /// <summary>Asserts what scripts test with <c>Should -Throw -ErrorId</c>: the id, then the command's type.</summary>
    public static void AssertError(ErrorRecord error, string errorId, ErrorCategory category)
    {
        Assert.StartsWith(errorId + ",", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal(category, error.CategoryInfo.Category);
    }
}
