namespace PSSocketFtp.Commands;

/// <summary>The last lines a server process wrote to its standard output and error, kept for error messages and FtpServerInstance.Output.</summary>
internal sealed class OutputTail
{
    private const int Capacity = 200;
    private readonly Queue<string> _lines = new();

    public void Add(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_lines)
        {
            _lines.Enqueue(line);
            if (_lines.Count > Capacity)
            {
                _lines.Dequeue();
            }
        }
    }

    public string[] Lines()
    {
        lock (_lines)
        {
            return _lines.ToArray();
        }
    }
}
