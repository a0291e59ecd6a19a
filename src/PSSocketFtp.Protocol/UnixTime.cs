namespace PSSocketFtp.Protocol;

/// <summary>The wire's times (<see cref="FieldTag.LastWriteTime"/>: milliseconds since the Unix epoch, UTC) and the range a <see cref="DateTimeOffset"/> can hold.</summary>
public static class UnixTime
{
    private const long MinMilliseconds = -62135596800000L; // 0001-01-01T00:00:00Z
    private const long MaxMilliseconds = 253402300799999L; // 9999-12-31T23:59:59.999Z

    /// <summary>Whether <paramref name="milliseconds"/> names a time a <see cref="DateTimeOffset"/> can hold.</summary>
    public static bool IsInRange(long milliseconds) => milliseconds is >= MinMilliseconds and <= MaxMilliseconds;

    /// <summary>The time <paramref name="milliseconds"/> names, moved to the nearest end of the range when it lies outside.</summary>
    public static DateTimeOffset Clamped(long milliseconds) =>
        DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(MinMilliseconds, Math.Min(MaxMilliseconds, milliseconds)));
}
