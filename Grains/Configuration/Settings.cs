using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace GoChat.Grains.Configuration;

/// <summary>
/// GoChat's settings as options classes: each is bound once from its configuration section and
/// checked at start-up by its validator (<c>ValidateOnStart</c>), so a wrong value stops the process
/// with a message naming the setting and what it may be, instead of misbehaving later. Settings the
/// host needs before it is built (the database, the silo's endpoint) are read and checked at once
/// with <see cref="Read{T}"/>.
/// </summary>
public static class Settings
{
    /// <summary>Binds <typeparamref name="T"/> from <paramref name="section"/> and checks it with <typeparamref name="TValidator"/> at start-up.</summary>
    public static IServiceCollection AddSettings<T, TValidator>(this IServiceCollection services, string section)
        where T : class
        where TValidator : class, IValidateOptions<T>
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<T>, TValidator>());
        services.AddOptions<T>()
            .Configure<IConfiguration>((options, config) => Bind(config, section, options))
            .ValidateOnStart();
        return services;
    }

    /// <summary>Binds and checks settings now; throws <see cref="OptionsValidationException"/> naming what is wrong.</summary>
    public static T Read<T>(IConfiguration config, string section, IValidateOptions<T> validator, Action<T>? alsoBind = null) where T : class, new()
    {
        var options = new T();
        Bind(config, section, options);
        alsoBind?.Invoke(options);
        var result = validator.Validate(Options.DefaultName, options);
        if (result.Failed) throw new OptionsValidationException(Options.DefaultName, typeof(T), result.Failures);
        return options;
    }

    static void Bind<T>(IConfiguration config, string section, T options)
    {
        try
        {
            config.GetSection(section).Bind(options);
        }
        catch (InvalidOperationException e)
        {
            // The binder says which key held a value it could not convert ("... at 'GoChat:Silo:Port' to type ...").
            throw new OptionsValidationException(Options.DefaultName, typeof(T), [e.Message]);
        }
    }

    /// <summary>The failures of a start-up that stopped on a setting, as one message for the console.</summary>
    public static string Describe(OptionsValidationException e) =>
        "GoChat cannot start: " + string.Join("; ", e.Failures);

    /// <summary>
    /// Collects failures for one options class, each naming its full setting key: a key is relative
    /// to the section unless it is given whole ("GoChat:ClusterId").
    /// </summary>
    public sealed class Check(string section)
    {
        readonly List<string> _failures = [];

        public Check Require(bool ok, string key, string rule)
        {
            if (!ok) _failures.Add($"{(key.StartsWith("GoChat:", StringComparison.Ordinal) ? key : $"{section}:{key}")} {rule}");
            return this;
        }

        public Check InRange<TValue>(TValue value, TValue min, TValue max, string key) where TValue : IComparable<TValue> =>
            Require(value.CompareTo(min) >= 0 && value.CompareTo(max) <= 0, key, $"must be between {min} and {max} (it is {value})");

        public ValidateOptionsResult Result => _failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_failures);
    }
}
