using System.Globalization;
using System.Management.Automation;
using PSSocketFtp.Client;

namespace PSSocketFtp.Commands;

/// <summary>
/// The columns of Get-FtpItem's table (PSSocketFtp.types.ps1xml, used by PSSocketFtp.format.ps1xml), as PowerShell 7's
/// own file view does with LastWriteTimeString and LengthString: a code property costs a method call a row, where the
/// script blocks the view had ran the script engine twice a row, most of the time a 10,000-item listing took to show.
/// </summary>
public static class FtpItemMembers
{
    /// <summary>The LastWriteTimeString property: the local date and time as Get-ChildItem shows them.</summary>
    public static string? LastWriteTimeString(PSObject instance)
    {
        if (instance?.BaseObject is not FtpItem item)
        {
            return null;
        }
        var time = item.LastWriteTime;
        var culture = CultureInfo.CurrentCulture;
        return string.Format(culture, "{0,10} {1,8}", time.ToString("d", culture), time.ToString("t", culture));
    }

    /// <summary>The LengthString property: a file's length, nothing for a folder.</summary>
    public static string? LengthString(PSObject instance) =>
        instance?.BaseObject is FtpItem { IsDirectory: false } item ? item.Length.ToString(CultureInfo.CurrentCulture) : null;
}
