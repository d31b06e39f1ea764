using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace GoChat.WebFront.Calls;

/// <summary>
/// Time-limited TURN credentials in the TURN REST scheme (coturn's use-auth-secret): the username
/// is "{unix expiry}:{userId}", the password base64(HMAC-SHA1(shared secret, username)). The TURN
/// server checks both without asking GoChat, and refuses the username once its expiry has passed.
/// </summary>
internal static class TurnCredentials
{
    public static (string Username, string Credential) Issue(string secret, long userId, DateTimeOffset expires)
    {
        var username = string.Create(CultureInfo.InvariantCulture, $"{expires.ToUnixTimeSeconds()}:{userId}");
        return (username, Sign(secret, username));
    }

    public static string Sign(string secret, string username) =>
        Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(username)));
}
