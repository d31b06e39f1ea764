using GoChat.Grains.Configuration;
using Microsoft.Extensions.Options;

namespace GoChat.WebFront;

/// <summary>Settings of the WebFront itself (keys directly under GoChat).</summary>
internal sealed class WebFrontOptions
{
    public const string Section = "GoChat";

    /// <summary>Base for absolute URLs in responses; empty means the request's own scheme and host.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Seed demo users, a group, history and a demo video on the first start.</summary>
    public bool DemoData { get; set; }
}

internal sealed class WebFrontOptionsValidator : IValidateOptions<WebFrontOptions>
{
    public ValidateOptionsResult Validate(string? name, WebFrontOptions options) => new Settings.Check(WebFrontOptions.Section)
        .Require(string.IsNullOrEmpty(options.PublicBaseUrl)
                 || Uri.TryCreate(options.PublicBaseUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && string.IsNullOrEmpty(uri.Query),
            nameof(options.PublicBaseUrl), $"must be an absolute http(s) URL such as https://chat.example.com (it is '{options.PublicBaseUrl}')")
        .Result;
}
