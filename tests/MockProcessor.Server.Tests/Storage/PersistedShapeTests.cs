using System.Text;
using System.Text.Json.Serialization.Metadata;
using MockProcessor.Domain.Common;
using MockProcessor.Server.Storage;

namespace MockProcessor.Server.Tests.Storage;

/// <summary>
/// The persisted format's shape (docs/architecture.md, Persisted format), as the serializer of
/// <see cref="PersistenceFormat"/> sees it: every stored type name, each record's JSON properties (nested records inline),
/// each enum's stored member names. A change here without a schema version and a migration corrupts existing files, so
/// the test compares with the committed persisted-shapes.v{N}.txt. To accept a change: bump Database.SchemaVersion, add
/// the migration (and a test that opens an old file), then regenerate with UPDATE_PERSISTED_SHAPES=1.
/// </summary>
public class PersistedShapeTests
{
    private static string SnapshotPath => Path.Combine(RepoRoot(), "tests", "MockProcessor.Server.Tests", "Storage", $"persisted-shapes.v{Database.SchemaVersion}.txt");

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "MockProcessor.sln"))) return dir.FullName;
        throw new InvalidOperationException($"No MockProcessor.sln above {AppContext.BaseDirectory}.");
    }

    [Fact]
    public void Persisted_records_have_the_shape_of_the_current_schema_version()
    {
        var actual = Describe(MockProcessor.Server.Resources.Registry.PersistedTypes);
        if (Environment.GetEnvironmentVariable("UPDATE_PERSISTED_SHAPES") == "1") File.WriteAllText(SnapshotPath, actual);
        Assert.True(File.Exists(SnapshotPath),
            $"No {Path.GetFileName(SnapshotPath)}: a new schema version needs its shape snapshot (run the tests with UPDATE_PERSISTED_SHAPES=1).");
        var expected = File.ReadAllText(SnapshotPath).ReplaceLineEndings("\n");
        if (expected == actual) return;
        var e = expected.Split('\n');
        var a = actual.Split('\n');
        var first = Enumerable.Range(0, Math.Min(e.Length, a.Length)).FirstOrDefault(i => e[i] != a[i], Math.Min(e.Length, a.Length));
        Assert.Fail($"""
            The persisted shape of a stored record changed (first difference at line {first + 1}:
              snapshot: {(first < e.Length ? e[first] : "(end)")}
              now:      {(first < a.Length ? a[first] : "(end)")}).
            Existing database files are in the old shape. Bump Database.SchemaVersion, add a migration that rewrites the stored
            rows to the new shape (Storage/Database.cs), test it on a file of the old version (Storage/OldDatabaseTests), then
            regenerate the snapshot: UPDATE_PERSISTED_SHAPES=1 dotnet test tests/MockProcessor.Server.Tests --filter PersistedShapeTests
            (it writes persisted-shapes.v<version>.txt; commit it and delete the previous version's file).
            """);
    }

    [Fact]
    public void The_description_sees_names_enum_members_and_nested_records()
    {
        var text = Describe(MockProcessor.Server.Resources.Registry.PersistedTypes);
        // The lines a rename of Charge.AmountRefunded, ChargeStatus.Succeeded or a card's Last4 would change.
        Assert.Contains("\n  amount_refunded: long\n", text);
        Assert.Contains("  status: enum(failed|pending|succeeded)\n", text);
        Assert.Contains("      last4: string\n", text);
        Assert.Contains("  metadata: map<string, string>\n", text);
        Assert.Contains("  snapshot: snapshot\n", text);
        Assert.Contains("type charge = Charge\n", text);
    }

    /// <summary>A canonical text of the persisted format: stored type names in order, then each record's properties as serialized.</summary>
    public static string Describe(IReadOnlyDictionary<string, Type> persistedTypes)
    {
        var options = PersistenceFormat.Options(persistedTypes);
        options.MakeReadOnly(populateMissingResolver: true); // the reflection resolver the store's serializer uses
        var sb = new StringBuilder();
        sb.Append("# The persisted format of schema v").Append(Database.SchemaVersion)
            .Append(" (Storage/PersistedShapeTests; regenerate with UPDATE_PERSISTED_SHAPES=1 only together with a migration).\n");
        foreach (var (name, type) in persistedTypes.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            sb.Append("type ").Append(name).Append(" = ").Append(type.Name).Append('\n');
            Properties(sb, options, type, 1, [type]);
        }
        return sb.ToString();
    }

    private static void Properties(StringBuilder sb, System.Text.Json.JsonSerializerOptions options, Type type, int depth, List<Type> path)
    {
        var info = options.GetTypeInfo(type);
        foreach (var p in info.Properties.OrderBy(p => p.Name, StringComparer.Ordinal))
        {
            sb.Append(' ', 2 * depth).Append(p.Name).Append(": ").Append(TypeName(options, p.PropertyType)).Append(Written(p)).Append('\n');
            if (Record(options, p.PropertyType) is { } nested && !path.Contains(nested))
                Properties(sb, options, nested, depth + 1, [.. path, nested]);
        }
    }

    /// <summary>
    /// When a property is left out of a row: a null left out reads back as the property's initial value, so giving such a
    /// property a non-null initial value changes how existing rows read, and shows here.
    /// </summary>
    private static string Written(JsonPropertyInfo p) => (p.CustomConverter is { } c ? $" (as {c.GetType().Name})" : "") + p.ShouldSerialize switch
    {
        _ when p.Get is null => " (read, never written)",
        null => "",
        { } should when should(null!, new object()) => " (left out when null)",
        _ => " (not written)",
    };

    /// <summary>The record whose properties a value of <paramref name="type"/> holds (itself, or a collection's element).</summary>
    private static Type? Record(System.Text.Json.JsonSerializerOptions options, Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        var info = options.GetTypeInfo(type);
        return info.Kind switch
        {
            JsonTypeInfoKind.Object when type != typeof(object) => type,
            JsonTypeInfoKind.Enumerable or JsonTypeInfoKind.Dictionary => Record(options, info.ElementType!),
            _ => null,
        };
    }

    private static string TypeName(System.Text.Json.JsonSerializerOptions options, Type type)
    {
        if (Nullable.GetUnderlyingType(type) is { } inner) return TypeName(options, inner) + "?";
        if (type.IsEnum)
            return "enum(" + string.Join('|', Enum.GetNames(type).Select(n => PersistenceFormat.Names.ConvertName(n)).Order(StringComparer.Ordinal)) + ")";
        if (typeof(StripeObject).IsAssignableFrom(type) && type.IsAbstract) return "snapshot";
        var info = options.GetTypeInfo(type);
        return info.Kind switch
        {
            JsonTypeInfoKind.Dictionary => $"map<{TypeName(options, info.KeyType!)}, {TypeName(options, info.ElementType!)}>",
            JsonTypeInfoKind.Enumerable => $"list<{TypeName(options, info.ElementType!)}>",
            JsonTypeInfoKind.Object when type != typeof(object) => "object",
            _ => type == typeof(string) ? "string" : type == typeof(long) ? "long" : type == typeof(int) ? "int" : type == typeof(bool) ? "bool"
                : type == typeof(object) ? "any" : type.FullName ?? type.Name,
        };
    }
}
