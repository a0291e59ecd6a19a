using System.Text;

namespace PSSocketFtp.Server;

/// <summary>
/// <c>add-user &lt;name&gt; --users &lt;file&gt;</c>: adds a user to a users file, or sets a user's new password. The
/// password comes from the environment variable <see cref="PasswordVariable"/> when set, else from standard input
/// (typed without echo at a terminal, or the first line of piped input); never from the command line.
/// </summary>
internal static class AddUserCommand
{
    /// <summary>The command's name, the first argument.</summary>
    public const string Name = "add-user";

    /// <summary>The environment variable a script can pass the password in.</summary>
    public const string PasswordVariable = "PSSOCKETFTP_PASSWORD";

    private const string Usage = "Usage: add-user <name> --users <file>   (password from stdin or $" + PasswordVariable + ")";

    public static int Run(string[] args, TextReader input, TextWriter output, TextWriter error)
    {
        string? name = null;
        string? file = null;
        for (int i = 0; i < args.Length; i++)
        {
            if (string.Equals(args[i], "--users", StringComparison.OrdinalIgnoreCase) && i + 1 < args.Length)
            {
                file = args[++i];
            }
            else if (!args[i].StartsWith("--", StringComparison.Ordinal) && name is null)
            {
                name = args[i];
            }
            else
            {
                error.WriteLine($"add-user: unexpected argument '{args[i]}'. {Usage}");
                return 2;
            }
        }
        if (name is null || file is null)
        {
            error.WriteLine(Usage);
            return 2;
        }
        string? password = Environment.GetEnvironmentVariable(PasswordVariable);
        if (string.IsNullOrEmpty(password))
        {
            password = ReadPassword(input, error);
        }
        try
        {
            UserStore.AddOrReplace(file, name, password ?? string.Empty);
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"add-user: {e.Message}");
            return 1;
        }
        output.WriteLine($"User '{name}' saved in {Path.GetFullPath(file)}.");
        return 0;
    }

    private static string? ReadPassword(TextReader input, TextWriter error)
    {
        if (!ReferenceEquals(input, Console.In) || Console.IsInputRedirected)
        {
            return input.ReadLine();
        }
        error.Write("Password: ");
        var password = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                error.WriteLine();
                return password.ToString();
            }
            if (key.Key == ConsoleKey.Backspace)
            {
                password.Length = Math.Max(0, password.Length - 1);
            }
            else if (!char.IsControl(key.KeyChar))
            {
                password.Append(key.KeyChar);
            }
        }
    }
}
