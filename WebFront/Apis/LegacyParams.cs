using System.Globalization;

namespace GoChat.WebFront.Apis;

/// <summary>
/// The parameters of a legacy-dialect request (douyin, ginchat): clients send them as form
/// fields, in the query string, or both, so both are read (form first). The token may also come as
/// "Authorization: Bearer" (the web client's way, which keeps it out of URLs).
/// </summary>
internal sealed class LegacyParams
{
    readonly IQueryCollection _query;
    readonly IFormCollection? _form;
    readonly string? _bearer;
    readonly LegacyParameters? _declared;
    readonly string _route;

    LegacyParams(IQueryCollection query, IFormCollection? form, string? bearer, LegacyParameters? declared, string route)
    {
        _query = query;
        _form = form;
        _bearer = bearer;
        _declared = declared;
        _route = route;
    }

    public static async Task<LegacyParams> ReadAsync(HttpRequest request)
    {
        IFormCollection? form = null;
        if (request.HasFormContentType)
        {
            try
            {
                form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
            }
            catch (InvalidDataException e)
            {
                // A field holding a NUL (the framework's decoder refuses it), or a form over the
                // framework's limits: say so, rather than report its fields missing.
                throw new BadHttpRequestException(
                    e.InnerException is InvalidOperationException ? "the form could not be read: its fields must not contain NUL characters"
                    : $"the form could not be read: {e.Message}", StatusCodes.Status400BadRequest, e);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                // Over GoChat:Limits:RequestBodyBytes: said so (in the route's dialect), in the native API's words.
                var max = request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
                throw new BadHttpRequestException($"the request body is too large: this route accepts at most {max} bytes", e.StatusCode, e);
            }
            catch (Exception e) when (e is IOException or BadHttpRequestException)
            {
                // A body cut short leaves only the query string; the route then reports what is missing.
                form = null;
            }
        }
        var endpoint = request.HttpContext.GetEndpoint();
        return new LegacyParams(request.Query, form, Accounts.TokenAuthenticationHandler.BearerToken(request),
            endpoint?.Metadata.GetMetadata<LegacyParameters>(), endpoint?.DisplayName ?? request.Path);
    }

    public string? this[string name]
    {
        get
        {
            // A programming error, found by any test of the route: the OpenAPI document (and the tests
            // generated from it) would not know this parameter.
            if (_declared is not null && !_declared.Declares(name))
                throw new InvalidOperationException($"{_route} reads the parameter '{name}' without declaring it (.Reads(...))");
            return _form is not null && _form.TryGetValue(name, out var fromForm) && fromForm.Count > 0 ? fromForm[0]
                : _query.TryGetValue(name, out var fromQuery) && fromQuery.Count > 0 ? fromQuery[0]
                : name == "token" ? _bearer
                : null;
        }
    }

    /// <summary>An int64 parameter: null when absent; false (with a message) when present but not a number.</summary>
    public bool TryGetLong(string name, out long? value, out string? error)
    {
        value = null;
        error = null;
        var raw = this[name];
        if (string.IsNullOrEmpty(raw)) return true;
        if (long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
        {
            value = parsed;
            return true;
        }
        error = $"{name} must be an integer";
        return false;
    }

    /// <summary>An int64 parameter that must be there: false (with a message) when absent or not a number.</summary>
    public bool TryGetRequiredLong(string name, out long value, out string? error)
    {
        value = 0;
        if (!TryGetLong(name, out var optional, out error)) return false;
        if (optional is null)
        {
            error = $"{name} is required";
            return false;
        }
        value = optional.Value;
        return true;
    }
}
