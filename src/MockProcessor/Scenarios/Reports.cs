using System.Text;
using System.Text.Json.Nodes;
using System.Xml;

namespace MockProcessor.Scenarios;

/// <summary>
/// The machine-readable reports. Both hold only what a seed determines — no durations, dates or host names — so one
/// seed gives byte-identical files (docs/scenarios.md "Reports").
/// </summary>
public static class Reports
{
    public static string Name(Outcome o) => o switch { Outcome.Passed => "passed", Outcome.Failed => "failed", _ => "skipped" };

    /// <summary>The failure as readable text: step, line, each expected/actual pair or the error, then the last response
    /// (or what a failed events:/webhooks: step read).</summary>
    public static string Describe(StepFailure f)
    {
        var sb = new StringBuilder();
        sb.Append(f.Step == 0 ? $"{f.Title}" : $"step {f.Step} ({f.Title}), line {f.Line}").Append('\n');
        if (f.Error is not null) sb.Append("  ").Append(f.Error).Append('\n');
        foreach (var m in f.Mismatches)
            sb.Append("  ").Append(m.What).Append('\n')
              .Append("    expected: ").Append(m.Expected).Append('\n')
              .Append("    actual:   ").Append(m.Actual).Append('\n');
        if (f.LastResponse is not null) sb.Append("  last response: ").Append(f.LastResponse.Replace("\n", "\n  ")).Append('\n');
        if (f.Recorded is not null) sb.Append("  ").Append(f.Recorded.Replace("\n", "\n  ")).Append('\n');
        return sb.ToString();
    }

    public static string Summary(StepFailure f) =>
        (f.Step == 0 ? f.Title : $"step {f.Step} ({f.Title})") + ": " +
        (f.Mismatches.Count > 0 ? string.Join("; ", f.Mismatches.Select(m => $"{m.What}: expected {m.Expected}, got {m.Actual}")) : f.Error);

    public static string Json(IReadOnlyList<ScenarioResult> results, long seed)
    {
        var list = new JsonArray();
        foreach (var r in results)
        {
            var o = new JsonObject
            {
                ["file"] = r.Scenario.File,
                ["name"] = r.Scenario.Name,
                ["row"] = r.Scenario.RowIndex,
                ["seed"] = r.Seed,
                ["result"] = Name(r.Outcome),
                ["steps"] = r.Scenario.Steps.Count,
                ["steps_passed"] = r.StepsPassed,
            };
            if (r.Failure is { } f)
                o["failure"] = new JsonObject
                {
                    ["step"] = f.Step,
                    ["title"] = f.Title,
                    ["line"] = f.Line,
                    ["error"] = f.Error,
                    ["mismatches"] = new JsonArray(f.Mismatches.Select(m => (JsonNode)new JsonObject
                    {
                        ["what"] = m.What, ["expected"] = m.Expected, ["actual"] = m.Actual,
                    }).ToArray()),
                    ["last_response"] = f.LastResponse,
                    ["recorded"] = f.Recorded,
                };
            list.Add(o);
        }
        var root = new JsonObject
        {
            ["seed"] = seed,
            ["total"] = results.Count,
            ["passed"] = results.Count(r => r.Outcome == Outcome.Passed),
            ["failed"] = results.Count(r => r.Outcome == Outcome.Failed),
            ["skipped"] = results.Count(r => r.Outcome == Outcome.Skipped),
            ["scenarios"] = list,
        };
        return root.ToJsonString(Scenarios.Json.Indented) + "\n";
    }

    /// <summary>JUnit XML: one testsuite per file, one testcase per scenario (per row), no time attributes.</summary>
    public static string JUnit(IReadOnlyList<ScenarioResult> results)
    {
        var sb = new StringBuilder();
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false), OmitXmlDeclaration = true, NewLineChars = "\n" };
        using (var w = XmlWriter.Create(sb, settings))
        {
            w.WriteStartElement("testsuites");
            w.WriteAttributeString("name", "mockprocessor run");
            Counts(w, results);
            foreach (var file in results.GroupBy(r => r.Scenario.File))
            {
                w.WriteStartElement("testsuite");
                w.WriteAttributeString("name", file.Key);
                Counts(w, [.. file]);
                foreach (var r in file)
                {
                    w.WriteStartElement("testcase");
                    w.WriteAttributeString("classname", file.Key);
                    w.WriteAttributeString("name", Clean(r.Scenario.Name));
                    if (r.Outcome == Outcome.Skipped)
                    {
                        w.WriteStartElement("skipped");
                        w.WriteAttributeString("message", "not run (--fail-fast)");
                        w.WriteEndElement();
                    }
                    if (r.Failure is { } f)
                    {
                        w.WriteStartElement("failure");
                        w.WriteAttributeString("message", Clean(Summary(f)));
                        w.WriteAttributeString("type", f.Mismatches.Count > 0 ? "expectation" : "error");
                        w.WriteString(Clean(Describe(f)));
                        w.WriteEndElement();
                    }
                    w.WriteEndElement();
                }
                w.WriteEndElement();
            }
            w.WriteEndElement();
        }
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + sb + "\n";
    }

    private static void Counts(XmlWriter w, IReadOnlyCollection<ScenarioResult> results)
    {
        w.WriteAttributeString("tests", results.Count.ToString());
        w.WriteAttributeString("failures", results.Count(r => r.Outcome == Outcome.Failed).ToString());
        w.WriteAttributeString("errors", "0");
        w.WriteAttributeString("skipped", results.Count(r => r.Outcome == Outcome.Skipped).ToString());
    }

    // XML 1.0 cannot carry most control characters, and a response body may hold anything.
    private static string Clean(string s) =>
        string.Create(s.Length, s, (span, src) =>
        {
            for (var i = 0; i < src.Length; i++)
            {
                var c = src[i];
                span[i] = c is '\t' or '\n' or '\r' || (c >= 0x20 && c != '\uFFFE' && c != '\uFFFF') ? c : '?';
            }
        });
}
