using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace MockProcessor.Scenarios;

/// <summary>
/// Files and folders → validated scenarios (one per file, or one per row of its parameters table). Every problem is a
/// <see cref="ScenarioError"/> with its line and column: YAML syntax, the schema (docs/scenario.schema.json), then the
/// cross-references the schema cannot express (a step's merchant or receiver must be declared).
/// </summary>
public static class ScenarioLoader
{
    public const string DefaultMerchant = "default";

    /// <summary>
    /// Every .yaml/.yml file under the paths, sorted, with '/': a relative path as given stays relative to
    /// <paramref name="baseDir"/>, an absolute one stays absolute (so reports show paths as given on the command line).
    /// </summary>
    public static (List<string> Files, List<string> Missing) Discover(IEnumerable<string> paths, string baseDir)
    {
        var files = new SortedSet<string>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var p in paths)
        {
            var full = Path.GetFullPath(p, baseDir);
            if (Directory.Exists(full))
            {
                foreach (var f in Directory.EnumerateFiles(full, "*.*", SearchOption.AllDirectories))
                    if (f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
                        files.Add(Shown(f, p, baseDir));
            }
            else if (File.Exists(full)) files.Add(Shown(full, p, baseDir));
            else missing.Add(p);
        }
        return ([.. files], missing);
    }

    private static string Shown(string full, string given, string baseDir) =>
        (Path.IsPathRooted(given) ? Path.GetFullPath(full) : Path.GetRelativePath(baseDir, full)).Replace('\\', '/');

    public static (List<Scenario> Scenarios, List<ScenarioError> Errors) LoadFile(string display, string text)
    {
        var errors = new List<ScenarioError>();
        YamlNode root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count != 1)
                return ([], [new ScenarioError(display, 1, 1, stream.Documents.Count == 0 ? "the file is empty" : "a scenario file holds one YAML document")]);
            root = stream.Documents[0].RootNode;
            Merge(root, new HashSet<YamlNode>(ReferenceEqualityComparer.Instance));
        }
        catch (YamlException ex)
        {
            return ([], [new ScenarioError(display, (int)ex.Start.Line, (int)ex.Start.Column, "YAML: " + (ex.InnerException?.Message ?? ex.Message))]);
        }
        errors.AddRange(YamlSchema.Embedded.Validate(display, root));
        if (errors.Count > 0) return ([], errors);
        var map = (YamlMappingNode)root;
        var json = YamlSchema.ToJson(root)!.AsObject();

        var merchants = ReadMerchants(json);
        var steps = new List<Step>();
        var stepNodes = (YamlSequenceNode)Child(map, "steps")!;
        for (var i = 0; i < stepNodes.Children.Count; i++)
        {
            var node = (YamlMappingNode)stepNodes.Children[i];
            var spec = json["steps"]![i]!.AsObject();
            var kind = Step.Kinds.First(k => spec.ContainsKey(k));
            steps.Add(new Step(i + 1, (int)node.Start.Line, kind, spec));
            CheckReferences(display, node, spec, kind, merchants, errors);
        }
        var endpointNames = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in merchants.SelectMany(m => m.Webhooks))
            if (!endpointNames.Add(e.Name))
                errors.Add(new ScenarioError(display, (int)map.Start.Line, (int)map.Start.Column, $"webhook endpoint name '{e.Name}' is used twice"));
        if (errors.Count > 0) return ([], errors);

        var baseName = json["name"]?.GetValue<string>() ?? Path.GetFileNameWithoutExtension(display);
        var template = new Scenario
        {
            File = display,
            Name = baseName,
            Description = json["description"]?.GetValue<string>(),
            Tags = json["tags"]?.AsArray().Select(t => t!.ToString()).ToList() ?? [],
            Seed = json["seed"]?.GetValue<long>(),
            StartTime = json["start_time"]?.GetValue<long>(),
            WebhookRetry = json["webhook_retry"]?.GetValue<string>() ?? "stripe",
            Merchants = merchants,
            Steps = steps,
        };
        if (json["parameters"] is not JsonArray rows) return ([template], errors);
        var list = new List<Scenario>();
        for (var r = 0; r < rows.Count; r++)
        {
            var row = rows[r]!.AsObject();
            var name = baseName.Contains("${", StringComparison.Ordinal)
                ? Substitution.Text(baseName, new Variables(row), allowUnknown: true)
                : $"{baseName} [{string.Join(", ", row.Select(kv => $"{kv.Key}={Substitution.Plain(kv.Value)}"))}]";
            list.Add(template with { Name = name, Row = row, RowIndex = r + 1 });
        }
        return (list, errors);
    }

    /// <summary>
    /// YAML merge keys: <c>&lt;&lt;: *visa</c> (or a list of aliases) adds the aliased mapping's entries that the mapping
    /// does not set itself, so a file can reuse a block of params with changes. Anchors and aliases need nothing more.
    /// </summary>
    private static void Merge(YamlNode node, HashSet<YamlNode> seen)
    {
        if (!seen.Add(node)) return;
        switch (node)
        {
            case YamlSequenceNode seq:
                foreach (var child in seq.Children) Merge(child, seen);
                break;
            case YamlMappingNode map:
                var mergeKey = map.Children.Keys.FirstOrDefault(k => k is YamlScalarNode { Value: "<<", Style: ScalarStyle.Plain });
                if (mergeKey is not null)
                {
                    var sources = map.Children[mergeKey] switch
                    {
                        YamlMappingNode one => [one],
                        YamlSequenceNode many => many.Children.OfType<YamlMappingNode>().ToList(),
                        _ => new List<YamlMappingNode>(),
                    };
                    map.Children.Remove(mergeKey);
                    foreach (var source in sources)
                        foreach (var (k, v) in source.Children)
                            if (!map.Children.Keys.Any(existing => YamlSchema.KeyText(existing) == YamlSchema.KeyText(k)))
                                map.Children.Add(k, v);
                }
                foreach (var (_, child) in map.Children) Merge(child, seen);
                break;
        }
    }

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.FirstOrDefault(kv => YamlSchema.KeyText(kv.Key) == key).Value;

    private static List<MerchantSpec> ReadMerchants(JsonObject json)
    {
        if (json["merchants"] is not JsonObject merchants)
            return [new MerchantSpec(DefaultMerchant, null, null, false, [], [], [])];
        var list = new List<MerchantSpec>();
        foreach (var (name, value) in merchants)
        {
            var m = value as JsonObject ?? [];
            var hooks = m["webhooks"]?.AsArray().Select(h => h!.AsObject()).Select(h => new EndpointSpec(
                h["name"]!.GetValue<string>(), name,
                h["events"]?.AsArray().Select(e => e!.ToString()).ToList() ?? ["*"],
                h["url"]?.GetValue<string>(), (int?)h["status"]?.GetValue<long>() ?? 200, h["api_version"]?.GetValue<string>(),
                h["connect"]?.GetValue<bool>() ?? false)).ToList() ?? [];
            list.Add(new MerchantSpec(name, m["key"]?.GetValue<string>(), m["start_time"]?.GetValue<long>(), m["frozen"]?.GetValue<bool>() ?? false,
                hooks, Forms(m["network_rules"]), Forms(m["faults"])));
        }
        return list;

        static List<JsonObject> Forms(JsonNode? n) => n?.AsArray().Select(x => x!.AsObject()).ToList() ?? [];
    }

    private static void CheckReferences(string file, YamlMappingNode node, JsonObject spec, string kind, List<MerchantSpec> merchants, List<ScenarioError> errors)
    {
        void Error(string key, string message)
        {
            var at = node.Children.FirstOrDefault(kv => YamlSchema.KeyText(kv.Key) == key).Value ?? node;
            errors.Add(new ScenarioError(file, (int)at.Start.Line, (int)at.Start.Column, message));
        }
        if (spec["as"]?.GetValue<string>() is { } who && merchants.All(m => m.Name != who))
            Error("as", $"merchant '{who}' is not declared (merchants: {string.Join(", ", merchants.Select(m => m.Name))})");
        var recording = merchants.SelectMany(m => m.Webhooks).Where(e => e.Recording).Select(e => e.Name).ToList();
        string? receiver = kind switch
        {
            "receiver" => spec["receiver"]!["name"]!.GetValue<string>(),
            "webhooks" => spec["webhooks"]!["receiver"]?.GetValue<string>(),
            _ => null,
        };
        if (kind == "webhooks" && receiver is null && recording.Count != 1)
            Error("webhooks", recording.Count == 0
                ? "a webhooks step needs a recording receiver: declare one under merchants.<name>.webhooks (without url)"
                : $"several recording receivers ({string.Join(", ", recording)}): say which with receiver:");
        if (receiver is not null && !recording.Contains(receiver))
            Error(kind, $"'{receiver}' is not a recording receiver (declared: {(recording.Count == 0 ? "none" : string.Join(", ", recording))})");
    }
}
