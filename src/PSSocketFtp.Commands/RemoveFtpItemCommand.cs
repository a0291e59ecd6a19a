using System.Management.Automation;

namespace PSSocketFtp.Commands;

/// <summary>
/// <para type="synopsis">Deletes remote files and folders (the old <c>rm</c>).</para>
/// <para type="description">Asks first (ConfirmImpact High) unless -Force; -WhatIf only tells what would be deleted.
/// Each item is confirmed before its deletion starts; up to -ThrottleLimit deletions are in flight on the session at once, and their errors come out in input order.</para>
/// </summary>
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

    // -Force answers the prompt, so it skips ShouldProcess unless -WhatIf (which must only tell) or -Confirm (which asks for it) is in effect.
    private bool Confirmed(string path) =>
        Force && !IsSwitchOn("Confirm") && !IsSwitchOn("WhatIf", LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference")))
        || ShouldProcess(path, Recurse ? "Remove with all content" : "Remove");

    private bool IsSwitchOn(string name, bool otherwise = false) =>
        MyInvocation.BoundParameters.TryGetValue(name, out var value) ? LanguagePrimitives.IsTrue(value) : otherwise;
}
