using MockProcessor.Domain.Common;

namespace MockProcessor.Server.Storage;

/// <summary>
/// What start-up needs of a stored object version without decoding it (schema v7, docs/storage.md, "Start-up from row
/// heads"): whether it must be read whole (<c>h</c>: time-driven work or an observer waits for it), or not (<c>c</c>),
/// or not but its timer's wait key follows (<c>w</c> and the key: <see cref="Time.IObjectTimer.WaitKey"/>); then its
/// keys in each index its type declares, in declaration order (secondary indexes, then lookups marked <c>@</c>):
/// <c>\x1F name</c>, followed by <c>\x1E key</c> when the key is not null. Start-up files a cold row in the
/// lists and indexes from its head alone; a row without a head (written before v7), or whose head names other indexes
/// than this build declares, is decoded as before.
/// </summary>
internal static class RowHead
{
    private const char Entry = '\x1F', Key = '\x1E';

    /// <summary>The head of <paramref name="obj"/> as text; null when a key holds a separator (start-up then decodes the row).</summary>
    public static string? Of(StoreSchema schema, StripeObject obj, bool hot, string? waits = null)
    {
        var utf8 = new byte[MaxBytes(schema, obj, waits)];
        var n = Write(schema, obj, hot, waits, utf8);
        return n < 0 ? null : System.Text.Encoding.UTF8.GetString(utf8, 0, n);
    }

    /// <summary>At most how many bytes <see cref="Write"/> writes for <paramref name="obj"/>.</summary>
    public static int MaxBytes(StoreSchema schema, StripeObject obj, string? waits)
    {
        var indexes = schema.IndexesOf(obj.ObjectType);
        var lookups = schema.LookupsOf(obj.ObjectType);
        var max = 1 + (waits is null ? 0 : System.Text.Encoding.UTF8.GetMaxByteCount(waits.Length));
        for (var i = 0; i < indexes.Length + lookups.Length; i++)
        {
            var (name, key, prefix) = IndexEntry(indexes, lookups, obj, i);
            max += 2 + prefix + System.Text.Encoding.UTF8.GetMaxByteCount(name.Length + (key?.Length ?? 0));
        }
        return max;
    }

    /// <summary>
    /// The head of <paramref name="obj"/> as UTF-8 into <paramref name="into"/> (at least <see cref="MaxBytes"/> long), for
    /// a writer that binds it at once (no string): its length, or -1 when a key holds a separator (no head). A hot
    /// version's <paramref name="waits"/> is not written: start-up reads it whole.
    /// </summary>
    public static int Write(StoreSchema schema, StripeObject obj, bool hot, string? waits, Span<byte> into)
    {
        var indexes = schema.IndexesOf(obj.ObjectType);
        var lookups = schema.LookupsOf(obj.ObjectType);
        into[0] = hot ? (byte)'h' : waits is null ? (byte)'c' : (byte)'w';
        var at = 1;
        if (!hot && waits is not null)
        {
            if (waits.AsSpan().IndexOfAny(Entry, Key) >= 0) return -1;
            at += System.Text.Encoding.UTF8.GetBytes(waits, into[at..]);
        }
        for (var i = 0; i < indexes.Length + lookups.Length; i++)
        {
            var (name, key, prefix) = IndexEntry(indexes, lookups, obj, i);
            if (key is not null && key.AsSpan().IndexOfAny(Entry, Key) >= 0) return -1;
            into[at++] = (byte)Entry;
            if (prefix == 1) into[at++] = (byte)'@';
            at += System.Text.Encoding.UTF8.GetBytes(name, into[at..]);
            if (key is null) continue;
            into[at++] = (byte)Key;
            at += System.Text.Encoding.UTF8.GetBytes(key, into[at..]);
        }
        return at;
    }

    /// <summary>Positions as the <c>refs</c> column holds them, as text (for a writer that binds strings).</summary>
    public static string Refs(IReadOnlyList<long> refs)
    {
        var utf8 = new byte[RefsMaxBytes(refs.Count)];
        return System.Text.Encoding.UTF8.GetString(utf8, 0, WriteRefs(refs, utf8));
    }

    /// <summary>At most how many bytes <see cref="WriteRefs"/> writes for <paramref name="count"/> positions.</summary>
    public static int RefsMaxBytes(int count) => count * 21; // 20 digits of a long and a comma

    /// <summary>Positions as the <c>refs</c> column holds them (comma-separated) into <paramref name="into"/> (at least <see cref="RefsMaxBytes"/> long): the length.</summary>
    public static int WriteRefs(IReadOnlyList<long> refs, Span<byte> into)
    {
        var at = 0;
        for (var i = 0; i < refs.Count; i++)
        {
            if (i > 0) into[at++] = (byte)',';
            refs[i].TryFormat(into[at..], out var written, default, System.Globalization.CultureInfo.InvariantCulture);
            at += written;
        }
        return at;
    }

    /// <summary>The <paramref name="i"/>th index of the type (secondary ones, then lookups): its name, the version's key, and 1 for a lookup's '@'.</summary>
    private static (string Name, string? Key, int Prefix) IndexEntry(SecondaryIndex[] indexes, LookupIndex[] lookups, StripeObject obj, int i) =>
        i < indexes.Length ? (indexes[i].Name, indexes[i].KeyOf(obj), 0) : (lookups[i - indexes.Length].Name, lookups[i - indexes.Length].KeyOf(obj), 1);

    /// <summary>A cold row's keys, for the indexes its type declares (a null key: not filed).</summary>
    public readonly record struct Keys(string?[] Secondary, string?[] Lookups);

    private static readonly string?[] None = [];

    /// <summary>
    /// Reads a head that does not ask for the row whole, and its timer's wait key (<paramref name="waits"/>, null for a
    /// <c>c</c> head); false when the row must be decoded: hot, or its head does not name exactly the indexes
    /// <paramref name="type"/> declares in this build.
    /// </summary>
    public static bool TryReadCold(StoreSchema schema, string type, string head, out Keys keys, out string? waits)
    {
        keys = default;
        waits = null;
        if (head.Length == 0 || head[0] is not ('c' or 'w')) return false;
        var rest = head.AsSpan(1);
        if (head[0] == 'w')
        {
            var end = rest.IndexOf(Entry);
            waits = (end < 0 ? rest : rest[..end]).ToString();
            rest = end < 0 ? [] : rest[end..];
        }
        var indexes = schema.IndexesOf(type);
        var lookups = schema.LookupsOf(type);
        if (indexes.Length == 0 && lookups.Length == 0)
        {
            keys = new Keys(None, None);
            return rest.Length == 0;
        }
        var secondary = indexes.Length == 0 ? None : new string?[indexes.Length];
        var byLookup = lookups.Length == 0 ? None : new string?[lookups.Length];
        for (var i = 0; i < indexes.Length + lookups.Length; i++)
        {
            if (rest.Length == 0 || rest[0] != Entry) return false;
            rest = rest[1..];
            var end = rest.IndexOf(Entry);
            var entry = end < 0 ? rest : rest[..end];
            rest = end < 0 ? [] : rest[end..];
            var split = entry.IndexOf(Key);
            var name = split < 0 ? entry : entry[..split];
            string? key = split < 0 ? null : entry[(split + 1)..].ToString();
            if (i < indexes.Length)
            {
                if (!name.SequenceEqual(indexes[i].Name)) return false;
                secondary[i] = key;
            }
            else
            {
                var lookup = lookups[i - indexes.Length];
                if (name.Length != lookup.Name.Length + 1 || name[0] != '@' || !name[1..].SequenceEqual(lookup.Name)) return false;
                byLookup[i - indexes.Length] = key;
            }
        }
        if (rest.Length != 0) return false;
        keys = new Keys(secondary, byLookup);
        return true;
    }

    /// <summary>The positions a row's <c>refs</c> column lists (comma-separated).</summary>
    public static IEnumerable<long> Positions(string refs)
    {
        foreach (var part in refs.Split(','))
            yield return long.Parse(part, System.Globalization.CultureInfo.InvariantCulture);
    }
}
