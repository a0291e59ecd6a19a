using System.Management.Automation;

namespace PSSocketFtp.Commands;

/// <summary>
/// <para type="synopsis">Deletes remote files and folders (the old <c>rm</c>).</para>
/// <para type="description">Asks first (ConfirmImpact High) unless -Force; -WhatIf only tells what would be deleted.</para>
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

    /// <summary>Deletes each item, once confirmed.</summary>
    protected override void ProcessRecord()
    {
        ForEachRemotePath(path =>
        {
            if (Confirmed(path))
            {
                Call(token => CurrentSession.RemoveAsync(path, Recurse, token));
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
