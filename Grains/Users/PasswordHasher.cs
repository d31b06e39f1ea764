using System.Security.Cryptography;

namespace GoChat.Grains.Users;

/// <summary>
/// Salted PBKDF2-SHA256. The stored form names the algorithm and iteration count
/// ("pbkdf2-sha256$iterations$salt$hash") so the cost can be raised without breaking old hashes.
/// </summary>
internal static class PasswordHasher
{
    const int Iterations = 150_000;
    const int SaltBytes = 16;
    const int HashBytes = 32;
    const string Scheme = "pbkdf2-sha256";

    public static string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, Iterations, HashAlgorithmName.SHA256, HashBytes);
        return $"{Scheme}${Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    public static bool Verify(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme || !int.TryParse(parts[1], out var iterations) || iterations < 1)
            return false;
        var salt = Convert.FromBase64String(parts[2]);
        var expected = Convert.FromBase64String(parts[3]);
        var actual = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }
}
