using System.Management.Automation;

namespace PSSocketFtp.Commands;

/// <summary>
/// <para type="synopsis">Deletes remote files and folders (the old <c>rm</c>).</para>
/// <para type="description">Asks first (ConfirmImpact High) unless -Force; -WhatIf only tells what would be deleted.
/// Each item is confirmed before its deletion starts; up to -ThrottleLimit deletions are in flight on the session at once, and their errors come out in input order.</para>
/// </summary>
/// <example>
/// <para>Delete a file without being asked.</para>
/// <code>Remove-FtpItem /logs/old.log -Force</code>
/// <para>Without -Force the cmdlet asks first.</para>
/// </example>
/// <example>
/// <para>Delete the logs older than 30 days.</para>
/// <code>Get-FtpItem /logs/*.log | Where-Object LastWriteTime -lt (Get-Date).AddDays(-30) | Remove-FtpItem -Force</code>
/// </example>
/// <example>
/// <para>See what a recursive delete would remove.</para>
/// <code>Remove-FtpItem /logs -Recurse -WhatIf</code>
/// <para>-WhatIf deletes nothing.</para>
/// </example>
/// <seealso cref="GetFtpItemCommand"/>
/// <seealso cref="NewFtpItemCommand"/>
/// <seealso href="about_PSSocketFtp">about_PSSocketFtp</seealso>
[Cmdlet(VerbsCommon.Remove, "FtpItem", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
public sealed class RemoveFtpItemCommand : FtpRemotePathCmdlet
{
    /// <summary>Deletes folders with their content; without it a folder with content is a DirectoryNotEmpty error.</summary>
    [Parameter(HelpMessage = "Delete folders with everything in them.")]
    public SwitchParameter Recurse { get; set; }

    /// <summary>Deletes without asking; -WhatIf and an explicit -Confirm still apply.</summary>
    [Parameter(HelpMessage = "Delete without asking for confirmation (-WhatIf and an explicit -Confirm still apply).")]
    public SwitchParameter Force { get; set; }

    /// <summary>How many requests to keep in flight on the session at once; results and errors still come out in input order.</summary>
    [Parameter(HelpMessage = "How many requests to keep in flight on the session at once")]
    [ValidateRange(1, 64)]
    public int ThrottleLimit { get; set; } = 32;

    private protected override int WindowSize => ThrottleLimit;

    /// <summary>Starts the deletion of each item, once confirmed; the window writes its errors.</summary>
    protected override void ProcessRecord()
    {
        ForEachRemotePath(path =>
        {
            if (Confirmed(path))
            {
                Start(path, Recurse ? $"Removed '{path}' with all its content." : $"Removed '{path}'.", token => CurrentSession.RemoveAsync(path, Recurse, token));
            }
        });
    }

    private bool Confirmed(string path) => ConfirmedOrForced(Force, path, Recurse ? "Remove with all content" : "Remove");
}
