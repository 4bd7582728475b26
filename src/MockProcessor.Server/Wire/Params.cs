using System.Globalization;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Errors;

namespace MockProcessor.Server.Wire;

/// <summary>
/// Typed, consuming access to one level of a decoded form. Each read marks the parameter as known;
/// <see cref="EnsureAllConsumed"/> then reports the first one nobody asked for as <c>parameter_unknown</c>,
/// so an endpoint's reads are its whole parameter list. Names in errors use Stripe's bracket form
/// (<c>card[exp_month]</c>).
/// </summary>
public sealed class Params
{
    private readonly FormObject _form;
    private readonly string? _prefix;
    private readonly HashSet<string> _consumed = new(StringComparer.Ordinal);
    private readonly List<Params> _children = [];
    private readonly IReadOnlySet<string>? _declared;

    /// <param name="declared">
    /// When given (tests: <c>VerifyParameterDeclarations</c>), reading a key outside it is the emulator's bug: the route's
    /// <see cref="ApiRoute.Params"/> would refuse that parameter before the handler could read it.
    /// </param>
    public Params(FormObject form, string? prefix = null, IReadOnlySet<string>? declared = null)
    {
        _form = form;
        _prefix = prefix;
        _declared = declared;
    }

    public static Params Empty { get; } = new(new FormObject());

    public string NameOf(string key) => _prefix is null ? key : $"{_prefix}[{key}]";

    public bool Has(string key) => _form[key] is not null;

    public bool IsHash(string key) => _form[key] is FormObject;

    /// <summary>Marks a key as known without reading it (for parameters handled elsewhere).</summary>
    public void Accept(string key) => Take(key);

    /// <summary>True when the key is present and set to the empty string, Stripe's way of unsetting.</summary>
    public bool IsEmpty(string key) => _form[key] is FormString { Value.Length: 0 };

    public IEnumerable<string> Keys => _form.Items.Select(kv => kv.Key);

    private FormNode? Take(string key)
    {
        if (_declared is not null && !_declared.Contains(key))
            throw new InvalidOperationException($"The handler reads '{key}', which its route's Params do not declare.");
        _consumed.Add(key);
        return _form[key];
    }

    /// <summary>A string, or null when absent or empty (empty means "unset").</summary>
    public string? String(string key, int maxLength = 5000)
    {
        var node = Take(key);
        if (node is null) return null;
        if (node is not FormString s) throw Bad(StripeError.InvalidShape(NameOf(key), "a string"));
        if (s.Value.Length > maxLength)
            throw Bad(StripeError.InvalidValue(NameOf(key), $"Invalid {NameOf(key)}: must be at most {maxLength} characters"));
        return s.Value.Length == 0 ? null : s.Value;
    }

    public string RequiredString(string key, int maxLength = 5000)
    {
        if (_form[key] is null) { _consumed.Add(key); throw Bad(StripeError.ParameterMissing(NameOf(key))); }
        if (IsEmpty(key)) { _consumed.Add(key); throw Bad(StripeError.InvalidEmpty(NameOf(key))); }
        return String(key, maxLength)!;
    }

    /// <summary>For updates: distinguishes absent (IsSet false) from "set to null" (empty string).</summary>
    public Patch<string> StringPatch(string key, int maxLength = 5000)
    {
        if (_form[key] is null) { _consumed.Add(key); return default; }
        return new Patch<string>(true, String(key, maxLength));
    }

    public long? Long(string key, long min = long.MinValue, long max = long.MaxValue)
    {
        var node = Take(key);
        if (node is null) return null;
        if (node is not FormString s) throw Bad(StripeError.InvalidShape(NameOf(key), "an integer"));
        if (s.Value.Length == 0) throw Bad(StripeError.InvalidEmpty(NameOf(key)));
        if (!long.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
            throw Bad(StripeError.InvalidInteger(NameOf(key), s.Value));
        if (v < min || v > max)
            throw Bad(StripeError.InvalidValue(NameOf(key), $"Invalid {NameOf(key)}: must be between {min} and {max}"));
        return v;
    }

    public long RequiredLong(string key, long min = long.MinValue, long max = long.MaxValue)
    {
        if (_form[key] is null) { _consumed.Add(key); throw Bad(StripeError.ParameterMissing(NameOf(key))); }
        return Long(key, min, max)!.Value;
    }

    /// <summary>
    /// A boolean: <c>true</c>/<c>false</c> in any letter case, as Stripe accepts them (stripe-python sent
    /// <c>True</c>/<c>False</c> until 2025); anything else is <c>Invalid boolean</c>.
    /// </summary>
    public bool? Bool(string key)
    {
        var node = Take(key);
        if (node is null) return null;
        if (node is not FormString s) throw Bad(StripeError.InvalidShape(NameOf(key), "a boolean"));
        if (s.Value.Length == 0) throw Bad(StripeError.InvalidEmpty(NameOf(key)));
        return ParseBool(s.Value) ?? throw Bad(StripeError.InvalidBoolean(NameOf(key), s.Value));
    }

    /// <summary><c>true</c> / <c>false</c> ignoring case, else null: the one reading of a boolean form value.</summary>
    public static bool? ParseBool(string value) =>
        value.Equals("true", StringComparison.OrdinalIgnoreCase) ? true
        : value.Equals("false", StringComparison.OrdinalIgnoreCase) ? false
        : null;

    public string? Enum(string key, params string[] allowed)
    {
        var v = String(key);
        if (v is not null && Array.IndexOf(allowed, v) < 0)
            throw Bad(StripeError.InvalidEnum(NameOf(key), v, allowed));
        return v;
    }

    /// <summary>
    /// An enum parameter read into its C# enum through its wire spelling (<c>requires_capture</c>); only
    /// <paramref name="allowed"/> values are accepted when given (a subset callers may pass, such as
    /// cancellation reasons), otherwise every value of the enum.
    /// </summary>
    public T? Enum<T>(string key, params T[] allowed) where T : struct, System.Enum
    {
        var names = (allowed.Length > 0 ? allowed.Select(a => a.ToWire()) : WireEnum.AllWire<T>()).ToArray();
        return Enum(key, names) is { } v && WireEnum.TryParse<T>(v, out var parsed) ? parsed : null;
    }

    /// <summary>A nested hash (<c>card[number]=...</c>), or null when absent. An empty string counts as absent-but-unset.</summary>
    public Params? Object(string key)
    {
        var node = Take(key);
        switch (node)
        {
            case null: return null;
            case FormString { Value.Length: 0 }: return null;
            case FormString: throw Bad(StripeError.InvalidShape(NameOf(key), "a hash"));
            case FormObject o:
                var child = new Params(o, NameOf(key));
                _children.Add(child);
                return child;
            default: return null;
        }
    }

    /// <summary>A list of strings from <c>k[]=a&amp;k[]=b</c> or <c>k[0]=a&amp;k[1]=b</c>; empty string means an empty list.</summary>
    public List<string>? StringList(string key)
    {
        var node = Take(key);
        switch (node)
        {
            case null: return null;
            case FormString { Value.Length: 0 }: return [];
            case FormString s: return [s.Value]; // a single value for a list param: accept as a one-item list, as Stripe does for expand
            case FormObject o:
                var items = new List<(int Index, string Value)>();
                foreach (var kv in o.Items)
                {
                    if (!int.TryParse(kv.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var idx))
                        throw Bad(StripeError.InvalidShape(NameOf(key), "an array"));
                    if (kv.Value is not FormString s2) throw Bad(StripeError.InvalidShape($"{NameOf(key)}[{kv.Key}]", "a string"));
                    items.Add((idx, s2.Value));
                }
                return items.OrderBy(i => i.Index).Select(i => i.Value).ToList();
            default: return null;
        }
    }

    /// <summary>
    /// A list of hashes from <c>k[0][a]=x&amp;k[1][a]=y</c>, in index order; null when absent, empty for <c>k=</c>.
    /// </summary>
    public List<Params>? ObjectList(string key)
    {
        var list = Object(key);
        if (list is null) { return IsEmpty(key) ? [] : null; }
        var items = new List<(int Index, Params Item)>();
        foreach (var k in list.Keys.ToList())
        {
            if (!int.TryParse(k, NumberStyles.None, CultureInfo.InvariantCulture, out var idx))
                throw Bad(StripeError.InvalidShape(NameOf(key), "an array"));
            items.Add((idx, list.Object(k) ?? throw Bad(StripeError.InvalidShape(list.NameOf(k), "a hash"))));
        }
        return items.OrderBy(i => i.Index).Select(i => i.Item).ToList();
    }

    /// <summary>
    /// <c>metadata[...]</c> applied to <paramref name="current"/> by Stripe's rules (an empty value removes a key,
    /// <c>metadata=</c> clears all; limits checked): <paramref name="current"/> itself when the call sent none.
    /// The one place every resource reads metadata (pass <c>Metadata.Empty</c> when creating).
    /// </summary>
    public System.Collections.Immutable.ImmutableSortedDictionary<string, string> Metadata(
        System.Collections.Immutable.ImmutableSortedDictionary<string, string> current) =>
        Domain.Common.Metadata.Apply(current, StringMap("metadata", out var clear), clear).OrThrow();

    /// <summary>A string-to-string hash such as metadata: null when absent, empty dictionary values mean "delete key".</summary>
    public Dictionary<string, string>? StringMap(string key, out bool clearAll)
    {
        clearAll = false;
        var node = Take(key);
        switch (node)
        {
            case null: return null;
            case FormString { Value.Length: 0 }: clearAll = true; return [];
            case FormString: throw Bad(StripeError.InvalidShape(NameOf(key), "a hash"));
            case FormObject o:
                var map = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var kv in o.Items)
                {
                    if (kv.Value is not FormString s)
                        throw Bad(StripeError.InvalidShape($"{NameOf(key)}[{kv.Key}]", "a string"));
                    map[kv.Key] = s.Value;
                }
                return map;
            default: return null;
        }
    }

    /// <summary>Throws <c>parameter_unknown</c> for the first parameter (at any depth) that no read asked for.</summary>
    public void EnsureAllConsumed()
    {
        foreach (var kv in _form.Items)
        {
            if (!_consumed.Contains(kv.Key))
                throw Bad(StripeError.ParameterUnknown(NameOf(kv.Key)));
        }
        foreach (var child in _children) child.EnsureAllConsumed();
    }

    private static StripeException Bad(StripeError e) => new(e, beforeExecution: true);
}

public readonly record struct Patch<T>(bool IsSet, T? Value) where T : class;
