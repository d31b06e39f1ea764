using System.Text.RegularExpressions;
using GoChat.Grains.Chat;
using GoChat.Grains.Social;
using GoChat.Grains.Users;
using GoChat.WebFront.Accounts;
using GoChat.WebFront.Operations;
using static GoChat.WebFront.Apis.LegacyParameter;

namespace GoChat.WebFront.Apis;

/// <summary>The ginchat routes, as thin adapters over the same accounts as the native API.</summary>
internal static partial class GinchatApi
{
    const int MaxUserList = 1000;

    public static IEndpointRouteBuilder MapGinchatApi(this IEndpointRouteBuilder routes)
    {
        // ginchat's pages read code and message, not HTTP errors: an unexpected failure still answers {code: -1}.
        var answer = DatabaseOutage.AnswerIn("Ginchat", (_, message) => GinchatDialect.Fail(message));
        var user = routes.MapGroup("/user").WithTags("ginchat").AddEndpointFilter(answer);
        user.MapPost("/createUser", CreateUser).Reads(Text("name"), Text("password"), Text("Identity"), Text("repassword"))
            .RequireRateLimiting(RateLimits.SignIn);
        user.MapPost("/findUserByNameAndPwd", FindUserByNameAndPwd).Reads(Text("name"), Text("password")).RequireRateLimiting(RateLimits.SignIn);
        user.MapMethods("/getUserList", ["GET", "POST"], GetUserList).Reads(Token);
        user.MapPost("/updateUser", UpdateUser).Reads(Token, Integer("id"), Text("name"), Text("password"), Text("phone"), Text("email"));
        user.MapMethods("/deleteUser", ["GET", "POST"], DeleteUser).Reads(Token, Integer("id"));

        var social = routes.MapGroup("").WithTags("ginchat");
        social.MapPost(AddFriendPath, AddFriend).Reads(Token, Integer("userId"), Text("targetName"))
            .AddEndpointFilter(DatabaseOutage.AnswerIn("Ginchat", (_, message) => AddFriendReply(-1, message)));
        social.MapPost("/searchFriends", SearchFriends).Reads(Token, Integer("userId")).AddEndpointFilter(answer);
        social.MapPost("/searchGroups", SearchGroups).Reads(Token, Integer("userId")).AddEndpointFilter(answer);
        return routes;
    }

    static async Task<IResult> CreateUser(HttpRequest request, AccountService accounts)
    {
        var p = await LegacyParams.ReadAsync(request);
        var (name, password, repeat) = (p["name"], p["password"], p["Identity"] ?? p["repassword"]);
        if (string.IsNullOrEmpty(name) || string.IsNullOrEmpty(password)) return GinchatDialect.Fail("name and password are required");
        if (password != repeat) return GinchatDialect.Fail("the two passwords differ");
        var result = await accounts.Register(name, password, displayName: null, request.HttpContext.SignInContext());
        return result.Value is { } session ? GinchatDialect.Ok("registered", session.User.ToGinchat(session.User.Id)) : GinchatDialect.Fail(result.Error!);
    }

    static async Task<IResult> FindUserByNameAndPwd(HttpRequest request, AccountService accounts)
    {
        var p = await LegacyParams.ReadAsync(request);
        var result = await accounts.SignIn(p["name"], p["password"], request.HttpContext.SignInContext());
        return result.Value is { } session
            ? GinchatDialect.Ok("signed in", session.User.ToGinchat(session.User.Id, identity: session.Token))
            : GinchatDialect.Fail(result.Error!);
    }

    static async Task<IResult> GetUserList(HttpRequest request, AccountService accounts)
    {
        var p = await LegacyParams.ReadAsync(request);
        var caller = await p.CallerAsync(request);
        if (caller.Error is { } error) return GinchatDialect.Fail(error);
        var users = await accounts.Search(prefix: null, MaxUserList);
        return GinchatDialect.Ok("users", users.Select(u => u.ToGinchat(caller.Value)));
    }

    static async Task<IResult> UpdateUser(HttpRequest request, AccountService accounts)
    {
        var p = await LegacyParams.ReadAsync(request);
        var caller = await p.CallerTokenAsync(request, userIdField: "id");
        if (caller.Error is { } error) return GinchatDialect.Fail(error);
        var phone = Blank(p["phone"]);
        var email = Blank(p["email"]);
        if (phone is not null && !ChinaMobile().IsMatch(phone)) return GinchatDialect.Fail("phone must be a mobile number like 13812345678");
        if (email is not null && !AccountRules.IsEmail(email)) return GinchatDialect.Fail("email must be an e-mail address");
        var result = await accounts.Update(caller.Value!, new ProfileUpdate(
            Username: Blank(p["name"]), Password: Blank(p["password"]), Phone: phone, Email: email));
        // A new password revoked the caller's token too: Identity carries its replacement, as after a login.
        return result.Value is { } updated
            ? GinchatDialect.Ok("updated", updated.User.ToGinchat(caller.Value!.UserId, identity: updated.NewToken ?? ""))
            : GinchatDialect.Fail(result.Error!);
    }

    static async Task<IResult> DeleteUser(HttpRequest request, AccountService accounts)
    {
        var p = await LegacyParams.ReadAsync(request);
        var caller = await p.CallerAsync(request, userIdField: "id");
        if (caller.Error is { } error) return GinchatDialect.Fail(error);
        // ginchat authorised this by the token alone; the account is deleted as natively (docs/security.md ("Administrators and accounts")).
        return await accounts.Close(caller.Value, password: null) is { } refused ? GinchatDialect.Fail(refused) : GinchatDialect.Ok("deleted", null);
    }

    public const string AddFriendPath = "/contact/addFriend";

    /// <summary>ginchat's helper wrote this one route's envelope with capitalised keys.</summary>
    public static IResult AddFriendReply(int code, string msg) => Results.Json(new { Code = code, Msg = msg, Data = (object?)null }, GinchatDialect.Json);

    static async Task<IResult> AddFriend(HttpRequest request, UserDirectory directory, IGrainFactory grains)
    {
        var p = await LegacyParams.ReadAsync(request);
        var caller = await p.CallerAsync(request, userIdField: "userId");
        if (caller.Error is { } error) return AddFriendReply(-1, error.Message);
        var targetName = p["targetName"];
        if (string.IsNullOrWhiteSpace(targetName)) return AddFriendReply(-1, "targetName is required");
        if (targetName.Length > AccountRules.MaxUsernameLength || await directory.FindIdByName(targetName) is not { } targetId)
            return AddFriendReply(-1, $"no user named {Grains.FreeText.Quote(targetName)}");
        var added = await grains.GetGrain<IUserGrain>(caller.Value).AddContact(targetId);
        return added is null ? AddFriendReply(0, "friend added") : AddFriendReply(-1, added.Message);
    }

    static async Task<IResult> SearchFriends(HttpRequest request, FollowStore follows)
    {
        var p = await LegacyParams.ReadAsync(request);
        var caller = await p.CallerAsync(request, userIdField: "userId");
        if (caller.Error is { } error) return GinchatDialect.Fail(error);
        var friends = await follows.Friends(caller.Value);
        return GinchatDialect.Rows("friends", friends.Select(f => f.ToGinchat(caller.Value)));
    }

    static async Task<IResult> SearchGroups(HttpRequest request, GroupStore groups, IGrainFactory grains)
    {
        var p = await LegacyParams.ReadAsync(request);
        var caller = await p.CallerAsync(request, userIdField: "userId");
        if (caller.Error is { } error) return GinchatDialect.Fail(error);
        var infos = await Task.WhenAll((await groups.GroupsOf(caller.Value)).Select(id => grains.GetGrain<IGroupGrain>(id).GetInfo()));
        return GinchatDialect.Rows("groups", infos.OfType<GroupInfo>().Select(g => g.ToGinchat()));
    }

    static string? Blank(string? value) => string.IsNullOrEmpty(value) ? null : value;

    [GeneratedRegex(@"^1[3-9]\d{9}$")]
    private static partial Regex ChinaMobile();
}
