using System.Collections;
using System.Management.Automation;
using System.Reflection;
using System.Xml.Linq;

namespace PSSocketFtp.HelpCompiler;

/// <summary>
/// Writes MAML, the compiled help format Get-Help reads for a binary module: the text from the doc comments, everything
/// else (syntax, positions, pipeline input, aliases, wildcards, defaults, accepted values) from the cmdlets themselves,
/// so that help cannot state a parameter differently from how it binds.
/// </summary>
internal sealed class MamlWriter(DocComments documentation)
{
    private static readonly XNamespace Msh = "http://msh";
    private static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    public XDocument Write(IReadOnlyList<CmdletInfo> cmdlets) =>
        new(new XDeclaration("1.0", "utf-8", null),
            new XElement(Msh + "helpItems", new XAttribute("schema", "maml"), cmdlets.Select(c => WriteCommand(c, cmdlets))));

    private XElement WriteCommand(CmdletInfo cmdlet, IReadOnlyList<CmdletInfo> cmdlets)
    {
        var doc = documentation.OfType(cmdlet.ImplementingType) ?? throw new HelpException($"{cmdlet.Name} ({cmdlet.ImplementingType.FullName}) has no doc comment.");
        string synopsis = Paras(doc, "synopsis").SingleOrDefault() ?? throw new HelpException($"{cmdlet.Name} has no <para type=\"synopsis\">.");
        var description = Paras(doc, "description").ToList();
        if (description.Count == 0)
        {
            throw new HelpException($"{cmdlet.Name} has no <para type=\"description\">.");
        }
        var parameters = Parameters(cmdlet).ToList();
        // How many examples each cmdlet has is the help test's business (tests/Pester/Help.Tests.ps1), which also runs them.
        var examples = doc.Elements("example").ToList();
        object defaults = Activator.CreateInstance(cmdlet.ImplementingType)!;

        return new XElement(Command + "command",
            new XAttribute(XNamespace.Xmlns + "maml", Maml),
            new XAttribute(XNamespace.Xmlns + "command", Command),
            new XAttribute(XNamespace.Xmlns + "dev", Dev),
            new XElement(Command + "details",
                new XElement(Command + "name", cmdlet.Name),
                new XElement(Command + "verb", cmdlet.Verb),
                new XElement(Command + "noun", cmdlet.Noun),
                Description(synopsis)),
            Description(description),
            new XElement(Command + "syntax", cmdlet.ParameterSets.Select(set => SyntaxItem(cmdlet, set, parameters, defaults))),
            new XElement(Command + "parameters", parameters.Select(p => Parameter(cmdlet, p, p.ParameterSets.Values, defaults, withDescription: true))),
            new XElement(Command + "inputTypes", InputTypes(parameters)),
            new XElement(Command + "returnValues", cmdlet.OutputType.Select(t => new XElement(Command + "returnValue", DevType(t.Name), Description(string.Empty)))),
            new XElement(Command + "examples", examples.Select((e, i) => Example(cmdlet, e, i + 1))),
            new XElement(Command + "relatedLinks", doc.Elements("seealso").Select(see => Link(cmdlet, see, cmdlets))));
    }

    private IEnumerable<ParameterMetadata> Parameters(CmdletInfo cmdlet) =>
        cmdlet.Parameters.Values
            .Where(p => !Cmdlet.CommonParameters.Contains(p.Name) && !Cmdlet.OptionalCommonParameters.Contains(p.Name))
            .OrderBy(p => p.ParameterSets.Values.Select(s => s.Position).Where(x => x >= 0).DefaultIfEmpty(int.MaxValue).Min())
            .ThenBy(p => p.ParameterSets.Values.Any(s => s.IsMandatory) ? 0 : 1);

    private XElement SyntaxItem(CmdletInfo cmdlet, CommandParameterSetInfo set, List<ParameterMetadata> parameters, object defaults) =>
        new(Command + "syntaxItem",
            new XElement(Maml + "name", cmdlet.Name),
            parameters.Where(p => p.ParameterSets.ContainsKey(set.Name) || p.ParameterSets.ContainsKey(ParameterAttribute.AllParameterSets))
                .Select(p => Parameter(cmdlet, p, [p.ParameterSets.GetValueOrDefault(set.Name) ?? p.ParameterSets[ParameterAttribute.AllParameterSets]], defaults, withDescription: false)));

    private XElement Parameter(CmdletInfo cmdlet, ParameterMetadata parameter, IEnumerable<ParameterSetMetadata> sets, object defaults, bool withDescription)
    {
        var property = cmdlet.ImplementingType.GetProperty(parameter.Name, BindingFlags.Public | BindingFlags.Instance)!;
        var setList = sets.ToList();
        int position = setList.Select(s => s.Position).Where(x => x >= 0).DefaultIfEmpty(-1).Min();
        bool switchParameter = parameter.SwitchParameter;
        var element = new XElement(Command + "parameter",
            new XAttribute("required", setList.All(s => s.IsMandatory) ? "true" : "false"),
            new XAttribute("variableLength", parameter.ParameterType.IsArray ? "true" : "false"),
            new XAttribute("globbing", property.IsDefined(typeof(SupportsWildcardsAttribute)) ? "true" : "false"),
            new XAttribute("pipelineInput", PipelineInput(setList)),
            new XAttribute("position", position >= 0 ? position.ToString() : "named"),
            new XAttribute("aliases", parameter.Aliases.Count > 0 ? string.Join(", ", parameter.Aliases) : "none"),
            new XElement(Maml + "name", parameter.Name));
        if (withDescription)
        {
            var doc = documentation.OfProperty(property.DeclaringType!, property.Name)?.Element("summary")
                ?? throw new HelpException($"{cmdlet.Name} -{parameter.Name} ({property.DeclaringType!.Name}.{property.Name}) has no <summary>.");
            element.Add(Description(DocComments.Text(doc)));
        }
        if (!switchParameter)
        {
            element.Add(new XElement(Command + "parameterValue", new XAttribute("required", "true"), new XAttribute("variableLength", "false"), TypeName(parameter.ParameterType)));
            var accepted = AcceptedValues(property, parameter.ParameterType).ToList();
            if (accepted.Count > 0)
            {
                element.Add(new XElement(Command + "parameterValueGroup", accepted.Select(v =>
                    new XElement(Command + "parameterValue", new XAttribute("required", "false"), new XAttribute("variableLength", "false"), v))));
            }
        }
        if (withDescription)
        {
            element.Add(DevType(TypeName(parameter.ParameterType)), new XElement(Dev + "defaultValue", DefaultValue(property, defaults)));
        }
        return element;
    }

    private static IEnumerable<string> AcceptedValues(PropertyInfo property, Type type) =>
        property.GetCustomAttribute<ValidateSetAttribute>()?.ValidValues
        ?? (Nullable.GetUnderlyingType(type) ?? type.GetElementType() ?? type) switch
        {
            { IsEnum: true } e => Enum.GetNames(e),
            _ => [],
        };

    // The value a new cmdlet object holds is the default PowerShell uses: help reads it from there, not from prose.
    private static string DefaultValue(PropertyInfo property, object cmdlet) => property.GetValue(cmdlet) switch
    {
        null => "None",
        SwitchParameter { IsPresent: false } => "False",
        string { Length: 0 } => "None",
        ICollection { Count: 0 } => "None",
        ICollection many => string.Join(", ", many.Cast<object>()),
        { } value when value.GetType().IsValueType && value.Equals(Activator.CreateInstance(value.GetType())) && !value.GetType().IsEnum => "None",
        { } value => value.ToString() ?? "None",
    };

    private static string PipelineInput(List<ParameterSetMetadata> sets)
    {
        bool byValue = sets.Any(s => s.ValueFromPipeline);
        bool byName = sets.Any(s => s.ValueFromPipelineByPropertyName);
        return (byValue, byName) switch
        {
            (true, true) => "True (ByValue, ByPropertyName)",
            (true, false) => "True (ByValue)",
            (false, true) => "True (ByPropertyName)",
            _ => "False",
        };
    }

    private static IEnumerable<XElement> InputTypes(List<ParameterMetadata> parameters) =>
        parameters.Where(p => p.ParameterSets.Values.Any(s => s.ValueFromPipeline || s.ValueFromPipelineByPropertyName))
            .GroupBy(p => TypeName(p.ParameterType))
            .Select(g => new XElement(Command + "inputType", DevType(g.Key),
                Description($"{(g.Any(p => p.ParameterSets.Values.Any(s => s.ValueFromPipeline)) ? "By value or by property name" : "By property name")}: {string.Join(", ", g.Select(p => "-" + p.Name))}.")));

    private XElement Example(CmdletInfo cmdlet, XElement example, int number)
    {
        var code = example.Element("code") ?? throw new HelpException($"{cmdlet.Name}'s example {number} has no <code>.");
        var before = code.ElementsBeforeSelf("para").Select(DocComments.Text).ToList();
        var after = code.ElementsAfterSelf("para").Select(DocComments.Text).ToList();
        string title = before.FirstOrDefault() ?? throw new HelpException($"{cmdlet.Name}'s example {number} has no title <para> before its <code>.");
        return new XElement(Command + "example",
            new XElement(Maml + "title", $"-------------------------- Example {number}: {title} --------------------------"),
            new XElement(Dev + "code", DocComments.Code(code)),
            new XElement(Dev + "remarks", before.Skip(1).Concat(after).Select(Para)));
    }

    // <seealso cref="…Command"/> names another cmdlet (the compiler checks the cref); <seealso href="…">text</seealso> a topic.
    private static XElement Link(CmdletInfo cmdlet, XElement see, IReadOnlyList<CmdletInfo> cmdlets)
    {
        string text = (string?)see.Attribute("cref") is { } cref
            ? cmdlets.FirstOrDefault(c => "T:" + c.ImplementingType.FullName == cref)?.Name
              ?? throw new HelpException($"{cmdlet.Name} links to {cref}, which is not one of the module's cmdlets.")
            : see.Value.Trim();
        return new(Maml + "navigationLink", new XElement(Maml + "linkText", text), new XElement(Maml + "uri", string.Empty));
    }

    private static IEnumerable<string> Paras(XElement doc, string type) =>
        doc.Descendants("para").Where(p => (string?)p.Attribute("type") == type).Select(DocComments.Text);

    private static XElement Description(IEnumerable<string> paragraphs) => new(Maml + "description", paragraphs.Select(Para));

    private static XElement Description(string paragraph) => Description([paragraph]);

    private static XElement Para(string text) => new(Maml + "para", text);

    private static XElement DevType(string name) => new(Dev + "type", new XElement(Maml + "name", name), new XElement(Maml + "uri", string.Empty));

    private static string TypeName(Type type) =>
        type.IsArray ? TypeName(type.GetElementType()!) + "[]"
        : Nullable.GetUnderlyingType(type) is { } inner ? TypeName(inner)
        : type == typeof(SwitchParameter) ? "SwitchParameter"
        : type.Namespace == "System" ? type.Name
        : type.FullName ?? type.Name;
}
