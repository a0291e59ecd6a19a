// netstandard2.0 lacks this marker type, which the compiler needs for `init` accessors and records.
namespace System.Runtime.CompilerServices;

internal static class IsExternalInit
{
}
