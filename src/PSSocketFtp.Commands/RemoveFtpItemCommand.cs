using System.Management.Automation;

namespace PSSocketFtp.Commands;

/// <summary>
/// <para type="synopsis">Deletes remote files and folders (the old <c>rm</c>).</para>
/// <para type="description">Asks first (ConfirmImpact High) unless -Force; -WhatIf only tells what would be deleted.</para>
/// </summary>
[Cmdlet(VerbsCommon.Remove, "FtpItem", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
public sealed class RemoveFtpItemCommand : FtpSessionCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>Remote paths, wildcards allowed in the last segment.</summary>
    [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0, ValueFromPipeline = true, HelpMessage = "Remote files or folders to delete; wildcards in the last segment.")]
    [ValidateNotNull]
    public string[] Path { get; set; } = Array.Empty<string>();

    /// <summary>Remote paths taken as they are (no wildcards), also from Get-FtpItem's FullName.</summary>
    [Parameter(ParameterSetName = LiteralPathSet, Mandatory = true, ValueFromPipelineByPropertyName = true, HelpMessage = "Remote files or folders to delete, without wildcard expansion.")]
    [Alias("FullName")]
    [ValidateNotNull]
    public string[] LiteralPath { get; set; } = Array.Empty<string>();

    /// <summary>Deletes folders with their content; without it a folder with content is a DirectoryNotEmpty error.</summary>
    [Parameter(HelpMessage = "Delete folders with everything in them.")]
    public SwitchParameter Recurse { get; set; }

    /// <summary>Deletes without asking; -WhatIf and an explicit -Confirm still apply.</summary>
    [Parameter(HelpMessage = "Delete without asking for confirmation (-WhatIf and an explicit -Confirm still apply).")]
    public SwitchParameter Force { get; set; }

    /// <summary>Deletes each item, once confirmed.</summary>
    protected override void ProcessRecord()
    {
        bool literal = ParameterSetName == LiteralPathSet;
        ForEachRemote(literal ? LiteralPath : Path, literal, path =>
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
