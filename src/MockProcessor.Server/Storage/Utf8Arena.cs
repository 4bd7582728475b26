using System.Text;

namespace MockProcessor.Server.Storage;

/// <summary>
/// Strings kept as UTF-8 in 64 KB byte arrays (under the large-object threshold), each known by where it starts and how
/// long it is: millions of ids as a few large arrays of plain data, not a managed string each (docs/storage.md, "The
/// compact index"). Append-only; not thread-safe (its owner's lock guards it).
/// </summary>
internal sealed class Utf8Arena(IndexPages? pages = null)
{
    private const int Chunk = 64 * 1024 - 64;
    private readonly Chunks<byte> _chunks = new(pages, coolBehind: true); // managed arrays or index pages, or blocks of a mapped snapshot (SnapshotBlocks)
    /// <summary>Bytes in memory now of the arrays that are blocks of a file mapping (a diagnostic).</summary>
    public long Resident() => _chunks.Resident();

    private int _used = Chunk; // in the last array: full, so the first string starts one

    /// <summary>Appends <paramref name="bytes"/> (at most 65,535); returns where it starts, for <see cref="Bytes"/>.</summary>
    public int Add(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > ushort.MaxValue) throw new ArgumentException($"A string of {bytes.Length} bytes is too long to keep.");
        if (_used + bytes.Length > Chunk)
        {
            if ((long)(_chunks.Count + 1) * Chunk > int.MaxValue) throw new InvalidOperationException("2 GB of strings is the limit of one arena.");
            _chunks.AddUninitialized(Math.Max(Chunk, bytes.Length)); // a longer string has an array of its own
            _used = 0;
        }
        bytes.CopyTo(_chunks.Span(_chunks.Count - 1)[_used..]);
        var start = (_chunks.Count - 1) * Chunk + _used;
        _used = Math.Min(Chunk, _used + bytes.Length);
        return start;
    }

    /// <summary>Appends <paramref name="s"/> as UTF-8; returns where it starts and its length in bytes.</summary>
    public (int Start, ushort Length) Add(string s)
    {
        Span<byte> stack = stackalloc byte[256];
        var bytes = Utf8(s, stack);
        return (Add(bytes), (ushort)bytes.Length);
    }

    public ReadOnlySpan<byte> Bytes(int start, int length) => _chunks.Span(start / Chunk).Slice(start % Chunk, length);

    public string String(int start, int length) => Encoding.UTF8.GetString(Bytes(start, length));

    /// <summary>
    /// Writes the arrays as they are, each with its length (a longer string's array is longer than the others), and how
    /// much of the last is used: for the start-up index snapshot (docs/storage.md, "Index snapshot at a clean stop").
    /// </summary>
    internal void Save(BinaryWriter w)
    {
        w.Write(_chunks.Count);
        for (var c = 0; c < _chunks.Count; c++)
        {
            w.Write(_chunks.LengthOf(c));
            SnapshotBlocks.Write<byte>(w, _chunks.Span(c));
        }
        w.Write(_used);
    }

    /// <summary>
    /// The arena <see cref="Save"/> wrote: every start it handed out reads the same bytes, and the next string goes where
    /// it would have gone in the saved one (the start-up index snapshot, docs/storage.md, "Index snapshot at a clean stop").
    /// The arrays stay where they are in a mapped snapshot (<see cref="SnapshotSource"/>).
    /// </summary>
    internal static Utf8Arena Load(SnapshotSource source)
    {
        var r = source.Reader;
        var arena = new Utf8Arena(source.Pages);
        var count = r.ReadInt32();
        if (count < 0 || (long)count * Chunk > int.MaxValue) throw new InvalidDataException($"An arena of {count} arrays cannot be.");
        for (var i = 0; i < count; i++)
        {
            var length = r.ReadInt32();
            if (length < Chunk || length > ushort.MaxValue) throw new InvalidDataException($"An arena array of {length} bytes cannot be.");
            arena._chunks.AddBlock(source, length);
        }
        arena._used = r.ReadInt32();
        if (arena._used is < 0 or > Chunk || count == 0 && arena._used != Chunk)
            throw new InvalidDataException($"An arena whose last array has {arena._used} bytes used cannot be.");
        return arena;
    }

    /// <summary>As <see cref="Load(SnapshotSource)"/>, copying the arrays out of <paramref name="r"/>'s stream.</summary>
    internal static Utf8Arena Load(BinaryReader r) => Load(new SnapshotSource(r.BaseStream, map: false));

    /// <summary><paramref name="s"/> as UTF-8, in <paramref name="stack"/> when it fits.</summary>
    public static ReadOnlySpan<byte> Utf8(string s, Span<byte> stack) =>
        s.Length <= stack.Length / 3 ? stack[..Encoding.UTF8.GetBytes(s, stack)] : Encoding.UTF8.GetBytes(s);
}
