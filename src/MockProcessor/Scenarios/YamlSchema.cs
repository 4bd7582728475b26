using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace MockProcessor.Scenarios;

/// <summary>A problem in a scenario file, at a 1-based line and column.</summary>
public sealed record ScenarioError(string File, int Line, int Column, string Message)
{
    public override string ToString() => $"{File}:{Line}:{Column}: {Message}";
}

/// <summary>
/// The JSON Schema checker the runner validates every file with (docs/scenario.schema.json, embedded). It walks the
/// YAML node tree, not a JSON copy, so every error keeps the line and column of the node it is about. It knows the
/// subset of JSON Schema 2020-12 the schema uses and refuses any other keyword, so the schema cannot silently say more
/// than is checked. anyOf picks the branch to blame: the one whose <c>required</c> keys the mapping has (a step with
/// <c>request:</c> is judged as a request step), else the one whose type fits.
/// </summary>
public sealed class YamlSchema
{
    private static readonly HashSet<string> Annotations = ["$schema", "$id", "title", "description", "$comment", "default", "examples"];
    private static readonly HashSet<string> Supported =
    [
        "$ref", "$defs", "type", "properties", "additionalProperties", "propertyNames", "required", "enum", "const", "items",
        "minItems", "minProperties", "minimum", "maximum", "pattern", "anyOf",
    ];

    private readonly JsonObject _root;

    public YamlSchema(JsonObject root)
    {
        _root = root;
        Verify(root);
    }

    public static YamlSchema Embedded { get; } = LoadEmbedded();

    private static YamlSchema LoadEmbedded()
    {
        using var stream = typeof(YamlSchema).Assembly.GetManifestResourceStream("scenario.schema.json")
            ?? throw new InvalidOperationException("scenario.schema.json is not embedded in the executable");
        return new YamlSchema(JsonNode.Parse(stream)!.AsObject());
    }

    public List<ScenarioError> Validate(string file, YamlNode node)
    {
        var errors = new List<ScenarioError>();
        Check(node, _root, "", file, errors);
        return errors;
    }

    private void Verify(JsonNode? schema)
    {
        if (schema is not JsonObject o) return;
        foreach (var (key, value) in o)
        {
            if (Annotations.Contains(key)) continue;
            if (!Supported.Contains(key)) throw new InvalidOperationException($"The scenario schema uses '{key}', which the checker does not implement.");
            switch (value)
            {
                case JsonObject child when key is "properties" or "$defs":
                    foreach (var (_, sub) in child) Verify(sub);
                    break;
                case JsonObject child:
                    Verify(child);
                    break;
                case JsonArray list when key is "anyOf":
                    foreach (var sub in list) Verify(sub);
                    break;
            }
        }
    }

    private JsonObject Resolve(JsonObject schema)
    {
        while (schema["$ref"]?.GetValue<string>() is { } reference)
        {
            const string prefix = "#/$defs/";
            if (!reference.StartsWith(prefix, StringComparison.Ordinal)) throw new InvalidOperationException($"Unsupported $ref {reference}");
            schema = _root["$defs"]![reference[prefix.Length..]]!.AsObject();
        }
        return schema;
    }

    private void Check(YamlNode node, JsonObject schema, string path, string file, List<ScenarioError> errors)
    {
        schema = Resolve(schema);
        if (schema["anyOf"] is JsonArray branches)
        {
            CheckAnyOf(node, branches, path, file, errors);
            return;
        }
        var kind = Kind(node);
        if (schema["type"] is { } type && !TypeFits(type, kind))
        {
            Add(errors, file, node, path, $"expected {Describe(type)}, got {KindName(kind, node)}");
            return;
        }
        if (schema["const"] is { } constant && !SameScalar(node, constant))
            Add(errors, file, node, path, $"must be {constant.ToJsonString()}");
        if (schema["enum"] is JsonArray choices && !choices.Any(c => SameScalar(node, c)))
            Add(errors, file, node, path, $"must be one of {string.Join(", ", choices.Select(c => c!.ToJsonString()))}, got {KindName(kind, node)}");
        if (node is YamlScalarNode scalar)
        {
            CheckScalar(scalar, kind, schema, path, file, errors);
            return;
        }
        if (node is YamlSequenceNode seq)
        {
            if (schema["minItems"] is { } min && seq.Children.Count < min.GetValue<int>())
                Add(errors, file, node, path, $"needs at least {min} item(s)");
            if (schema["items"] is JsonObject items)
                for (var i = 0; i < seq.Children.Count; i++) Check(seq.Children[i], items, $"{path}[{i}]", file, errors);
            return;
        }
        if (node is not YamlMappingNode map) return;
        if (schema["minProperties"] is { } minProps && map.Children.Count < minProps.GetValue<int>())
            Add(errors, file, node, path, minProps.GetValue<int>() == 1 ? "must not be empty" : $"needs at least {minProps} keys");
        if (schema["required"] is JsonArray required)
            foreach (var r in required.Select(r => r!.GetValue<string>()))
                if (!map.Children.Keys.Any(k => KeyText(k) == r))
                    Add(errors, file, node, path, $"missing required key '{r}'");
        var properties = schema["properties"] as JsonObject;
        foreach (var (keyNode, value) in map.Children)
        {
            var key = KeyText(keyNode);
            var childPath = path.Length == 0 ? key : $"{path}.{key}";
            if (schema["propertyNames"] is JsonObject names)
                Check(keyNode, names, childPath + " (name)", file, errors);
            if (properties?[key] is JsonObject propSchema) { Check(value, propSchema, childPath, file, errors); continue; }
            switch (schema["additionalProperties"])
            {
                case JsonValue v when v.GetValue<bool>() == false:
                    var allowed = properties is null ? "" : $" (allowed: {string.Join(", ", properties.Select(p => p.Key))})";
                    Add(errors, file, keyNode, path, $"unknown key '{key}'{allowed}");
                    break;
                case JsonObject extra:
                    Check(value, extra, childPath, file, errors);
                    break;
            }
        }
    }

    private void CheckScalar(YamlScalarNode scalar, string kind, JsonObject schema, string path, string file, List<ScenarioError> errors)
    {
        var text = scalar.Value ?? "";
        if (schema["pattern"] is { } pattern && !Regex.IsMatch(text, pattern.GetValue<string>()))
            Add(errors, file, scalar, path, $"'{text}' does not match {pattern.GetValue<string>()}");
        if (kind is "integer" or "number" && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
        {
            if (schema["minimum"] is { } min && n < min.GetValue<double>()) Add(errors, file, scalar, path, $"must be at least {min}");
            if (schema["maximum"] is { } max && n > max.GetValue<double>()) Add(errors, file, scalar, path, $"must be at most {max}");
        }
    }

    private void CheckAnyOf(YamlNode node, JsonArray branches, string path, string file, List<ScenarioError> errors)
    {
        var attempts = new List<(JsonObject Schema, List<ScenarioError> Errors)>();
        foreach (var b in branches)
        {
            var branch = Resolve(b!.AsObject());
            var found = new List<ScenarioError>();
            Check(node, branch, path, file, found);
            if (found.Count == 0) return;
            attempts.Add((branch, found));
        }
        // Blame the branch the node evidently meant: all its required keys present, else its type fits.
        var kind = Kind(node);
        var byRequired = node is YamlMappingNode map
            ? attempts.Where(a => a.Schema["required"] is JsonArray req && req.All(r => map.Children.Keys.Any(k => KeyText(k) == r!.GetValue<string>()))).ToList()
            : [];
        if (byRequired.Count > 0) { errors.AddRange(byRequired[0].Errors); return; }
        var byType = attempts.Where(a => a.Schema["type"] is not { } t || TypeFits(t, kind)).ToList();
        // One branch of the right type: its own complaint (a range, an unknown key) says most — unless it is only a
        // pattern the value missed, where listing every accepted form is clearer ("status: ok").
        if (byType.Count == 1 && (byType[0].Schema["required"] is null || node is not YamlMappingNode)
            && (node is not YamlScalarNode || byType[0].Schema["pattern"] is null))
        {
            errors.AddRange(byType[0].Errors);
            return;
        }
        var keyed = attempts.Select(a => a.Schema["required"] is JsonArray r && r.Count > 0 ? r[0]!.GetValue<string>() : null).ToList();
        if (node is YamlMappingNode && keyed.All(k => k is not null))
        {
            Add(errors, file, node, path, $"needs exactly one of the keys {string.Join(", ", keyed)}");
            return;
        }
        var described = attempts.Select(a => a.Schema["pattern"] is { } p ? $"a string matching {p}" : a.Schema["type"] is { } t ? Describe(t) : "another form").Distinct();
        Add(errors, file, node, path, $"expected {string.Join(" or ", described)}, got {KindName(kind, node)}");
    }

    private static void Add(List<ScenarioError> errors, string file, YamlNode node, string path, string message) =>
        errors.Add(new ScenarioError(file, (int)node.Start.Line, (int)node.Start.Column, path.Length == 0 ? message : $"{path}: {message}"));

    public static string KeyText(YamlNode key) => key is YamlScalarNode s ? s.Value ?? "" : key.ToString();

    /// <summary>The JSON type a node stands for. Quoted scalars are strings; plain ones follow YAML 1.2's core schema.</summary>
    public static string Kind(YamlNode node) => node switch
    {
        YamlMappingNode => "object",
        YamlSequenceNode => "array",
        YamlScalarNode s => ScalarKind(s),
        _ => "alias",
    };

    private static readonly Regex IntegerText = new(@"^[-+]?[0-9]+$", RegexOptions.Compiled);
    private static readonly Regex NumberText = new(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$", RegexOptions.Compiled);

    private static string ScalarKind(YamlScalarNode s)
    {
        if (s.Style is not (YamlDotNet.Core.ScalarStyle.Plain or YamlDotNet.Core.ScalarStyle.Any)) return "string";
        var v = s.Value ?? "";
        if (v is "" or "~" or "null" or "Null" or "NULL") return "null";
        if (v is "true" or "True" or "TRUE" or "false" or "False" or "FALSE") return "boolean";
        if (IntegerText.IsMatch(v)) return "integer";
        if (NumberText.IsMatch(v)) return "number";
        return "string";
    }

    private static bool TypeFits(JsonNode type, string kind)
    {
        var names = type is JsonArray a ? a.Select(t => t!.GetValue<string>()) : [type.GetValue<string>()];
        // A string field takes any scalar that is not null (currency: usd and Idempotency-Key: 17 alike); a number takes an integer.
        return names.Any(n => n == kind || (n == "string" && kind is "integer" or "number" or "boolean") || (n == "number" && kind == "integer"));
    }

    private static string Describe(JsonNode type) =>
        type is JsonArray a ? string.Join(" or ", a.Select(t => Article(t!.GetValue<string>()))) : Article(type.GetValue<string>());

    private static string Article(string type) => type switch
    {
        "object" => "a mapping", "array" => "a list", "integer" => "an integer", "null" => "null (nothing)", _ => "a " + type,
    };

    private static string KindName(string kind, YamlNode node) =>
        node is YamlScalarNode s && kind != "null" ? $"{Article(kind)} '{s.Value}'" : Article(kind);

    private static bool SameScalar(YamlNode node, JsonNode? value) =>
        node is YamlScalarNode s && value is JsonValue v && ToJson(s)?.ToJsonString() == v.ToJsonString();

    /// <summary>The JSON value of a node: plain scalars typed by YAML's core schema, quoted ones strings.</summary>
    public static JsonNode? ToJson(YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                var o = new JsonObject();
                foreach (var (k, v) in map.Children) o[KeyText(k)] = ToJson(v);
                return o;
            case YamlSequenceNode seq:
                return new JsonArray(seq.Children.Select(ToJson).ToArray());
            case YamlScalarNode s:
                var text = s.Value ?? "";
                return ScalarKind(s) switch
                {
                    "null" => null,
                    "boolean" => JsonValue.Create(text is "true" or "True" or "TRUE"),
                    "integer" when long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
                    "integer" or "number" => JsonValue.Create(double.Parse(text, CultureInfo.InvariantCulture)),
                    _ => JsonValue.Create(text),
                };
            default:
                return null;
        }
    }
}
