using System.Security.Cryptography;
using System.Text;

namespace PSSocketFtp.Server;

/// <summary>
/// The users of the server, read from a text file with one user a line:
/// <c>name:pbkdf2-sha256:iterations:base64 salt:base64 hash</c>. Blank lines and lines starting with <c>#</c> are
/// ignored. Passwords are never stored, only their salted PBKDF2-SHA256 hashes.
/// </summary>
internal sealed class UserStore
{
    /// <summary>The iterations new hashes use (the file records each user's own count, so raising this needs no migration).</summary>
    public const int DefaultIterations = 210_000;

    /// <summary>The fewest iterations a users file may name; fewer is refused as a weak (or tampered) entry.</summary>
    public const int MinIterations = 100_000;

    private const string Scheme = "pbkdf2-sha256";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    private readonly Dictionary<string, Entry> _users;
    // Checked against for an unknown name, so that the answer takes as long as for a known one.
    private readonly Entry _decoy = new(DefaultIterations, RandomNumberGenerator.GetBytes(SaltBytes), new byte[HashBytes]);

    private UserStore(Dictionary<string, Entry> users)
    {
        _users = users;
    }

    /// <summary>How many users are configured.</summary>
    public int Count => _users.Count;

    /// <summary>Reads a users file.</summary>
    /// <exception cref="InvalidDataException">A line is not a valid entry.</exception>
    public static UserStore Load(string path)
    {
        var users = new Dictionary<string, Entry>(StringComparer.Ordinal);
        int number = 0;
        foreach (string raw in File.ReadAllLines(path))
        {
            number++;
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var parts = line.Split(':');
            if (parts.Length != 5 || !IsValidName(parts[0]) || parts[1] != Scheme
                || !int.TryParse(parts[2], out int iterations) || iterations < MinIterations
                || !TryBase64(parts[3], out var salt) || salt.Length < SaltBytes
                || !TryBase64(parts[4], out var hash) || hash.Length != HashBytes)
            {
                throw new InvalidDataException($"Line {number} of the users file '{path}' is not 'name:{Scheme}:iterations:salt:hash' with at least {MinIterations} iterations.");
            }
            if (!users.TryAdd(parts[0], new Entry(iterations, salt, hash)))
            {
                throw new InvalidDataException($"The users file '{path}' names the user '{parts[0]}' twice (line {number}).");
            }
        }
        return new UserStore(users);
    }

    /// <summary>Whether the name and password match a user. Takes the same time whether or not the user exists.</summary>
    public bool Verify(string userName, string password)
    {
        bool known = _users.TryGetValue(userName, out var entry);
        entry ??= _decoy;
        byte[] actual = Derive(password, entry.Salt, entry.Iterations);
        return CryptographicOperations.FixedTimeEquals(actual, entry.Hash) && known;
    }

    /// <summary>Adds a user to a users file (creating it), or replaces the user's password.</summary>
    /// <exception cref="ArgumentException">The name or password is not acceptable.</exception>
    public static void AddOrReplace(string path, string userName, string password)
    {
        if (!IsValidName(userName))
        {
            throw new ArgumentException($"'{userName}' is not a valid user name: use 1-64 characters, no ':', no white space, not starting with '#'.");
        }
        if (string.IsNullOrEmpty(password))
        {
            throw new ArgumentException("The password is empty.");
        }
        byte[] salt = RandomNumberGenerator.GetBytes(SaltBytes);
        byte[] hash = Derive(password, salt, DefaultIterations);
        string entry = $"{userName}:{Scheme}:{DefaultIterations}:{Convert.ToBase64String(salt)}:{Convert.ToBase64String(hash)}";
        var lines = File.Exists(path) ? File.ReadAllLines(path).ToList() : ["# PSSocketFtp users: name:pbkdf2-sha256:iterations:salt:hash (add with: add-user <name> --users <file>)"];
        int existing = lines.FindIndex(line => line.Trim().StartsWith(userName + ":", StringComparison.Ordinal));
        if (existing >= 0)
        {
            lines[existing] = entry;
        }
        else
        {
            lines.Add(entry);
        }
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }
        // Written beside and moved over, so the server never reads half a file.
        string temp = path + ".tmp";
        File.WriteAllLines(temp, lines);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        File.Move(temp, path, overwrite: true);
    }

    private static bool IsValidName(string name) =>
        name.Length is > 0 and <= 64 && !name.Contains(':') && !name.StartsWith('#') && !name.Any(char.IsWhiteSpace) && !name.Any(char.IsControl);

    private static byte[] Derive(string password, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);

    private static bool TryBase64(string text, out byte[] bytes)
    {
        try
        {
            bytes = Convert.FromBase64String(text);
            return true;
        }
        catch (FormatException)
        {
            bytes = [];
            return false;
        }
    }

    private sealed record Entry(int Iterations, byte[] Salt, byte[] Hash);
}
