using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace PSSocketFtp.HelpCompiler;

/// <summary>
/// The C# XML documentation of the Commands assembly, read the way XmlDoc2CmdletDoc reads it: a cmdlet class's
/// <c>&lt;para type="synopsis"&gt;</c>, <c>&lt;para type="description"&gt;</c>, <c>&lt;para type="link"&gt;</c> and
/// <c>&lt;example&gt;</c> (a title para, the code, remark paras); a parameter property's summary.
/// </summary>
internal sealed partial class DocComments(XDocument document)
{
    private readonly Dictionary<string, XElement> _members = document.Descendants("member")
        .ToDictionary(m => (string)m.Attribute("name")!, StringComparer.Ordinal);

    public XElement? OfType(Type type) => _members.GetValueOrDefault("T:" + type.FullName);

    public XElement? OfProperty(Type declaringType, string name) => _members.GetValueOrDefault($"P:{declaringType.FullName}.{name}");

    /// <summary>The text of an element: inline tags become plain text, and line breaks with the comment's indentation one space.</summary>
    public static string Text(XElement element)
    {
        var text = new StringBuilder();
        foreach (var node in element.Nodes())
        {
            text.Append(node switch
            {
                XText plain => plain.Value,
                XElement { Name.LocalName: "paramref" or "typeparamref" } reference => "-" + (string?)reference.Attribute("name"),
                XElement { Name.LocalName: "see" or "seealso" } see => ShortName((string?)see.Attribute("cref") ?? (string?)see.Attribute("langword") ?? see.Value),
                XElement inner => Text(inner),
                _ => string.Empty,
            });
        }
        return Spaces().Replace(text.ToString(), " ").Trim();
    }

    /// <summary>Code keeps its lines; only the indentation every line shares (the comment's) is removed.</summary>
    public static string Code(XElement code)
    {
        var lines = code.Value.Replace("\r", string.Empty).Split('\n').SkipWhile(string.IsNullOrWhiteSpace).Reverse().SkipWhile(string.IsNullOrWhiteSpace).Reverse().ToList();
        int indent = lines.Where(l => l.Trim().Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return string.Join(Environment.NewLine, lines.Select(l => l.Length >= indent ? l.Substring(indent).TrimEnd() : l.Trim()));
    }

    private static string ShortName(string cref) => cref.Substring(cref.IndexOf(':') + 1).Split('.').Last();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
