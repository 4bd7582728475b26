using System.IO.MemoryMappedFiles;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MockProcessor.Server.Storage;

/// <summary>
/// Raw blocks of the index snapshot (docs/storage.md, "Index snapshot at a clean stop"): arrays of plain structs written
/// as they are in memory, each at a 64-byte boundary of the file, so a start can use them where they lie in a
/// copy-on-write mapping of the file instead of copying them into new memory. On this VM a page of new memory costs
/// about 10 µs to touch and a page of a mapped file in the page cache about 1.5 µs, and a mapped page is touched only
/// when something reads it: 7 million objects' index (1.2 GB) then costs no time at start.
/// </summary>
internal static class SnapshotBlocks
{
    internal const int Alignment = 64;
    internal const int PageAlignment = 4096;

    /// <summary>
    /// A block's boundary: 64 bytes, or a page for a block of a page or more, whose pages are then its own (a page shared
    /// with a neighbour could not be paged out or punched with it: docs/storage.md, "Frozen runs").
    /// </summary>
    internal static int AlignmentOf(long bytes) => bytes >= PageAlignment ? PageAlignment : Alignment;

    private static readonly byte[] Zeros = new byte[PageAlignment];

    private const byte Inline = 0, InPages = 1;

    /// <summary>
    /// Writes <paramref name="items"/> as one raw block: its length in bytes, then either padding to the boundary and the
    /// bytes, or, when a <see cref="SnapshotWriter"/> has index pages whose files the snapshot keeps and the items lie in
    /// one of them, where they lie (docs/storage.md, "The snapshot refers to the pages").
    /// </summary>
    public static unsafe void Write<T>(BinaryWriter w, ReadOnlySpan<T> items) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(items);
        w.Write((long)bytes.Length);
        if (w is SnapshotWriter writer && !bytes.IsEmpty && writer.Place(bytes) is var (file, offset))
        {
            w.Write(InPages);
            w.Write(file);
            w.Write(offset);
            return;
        }
        w.Write(Inline);
        w.Flush();
        var align = AlignmentOf(bytes.Length);
        var pad = (int)((align - w.BaseStream.Position % align) % align);
        w.Write(Zeros.AsSpan(0, pad));
        w.Write(bytes);
    }

    internal static bool IsInPages(byte kind) => kind switch
    {
        Inline => false,
        InPages => true,
        _ => throw new InvalidDataException($"A block of kind {kind} cannot be."),
    };
}

/// <summary>
/// The index snapshot's writer (docs/storage.md, "The snapshot refers to the pages"). With index pages that keep their
/// files, a block of the pages is written as where it lies (<see cref="SnapshotBlocks.Write{T}"/>), not copied, and the
/// stop keeps the files for the next start (<see cref="RefersToPages"/>). Each start that loads such a snapshot maps
/// its files and adds a region file of its own, so once the snapshot would name more than <see cref="MaxFiles"/>, every
/// block is copied instead into one new file beside the pages, which the next start maps alone: the chain of files
/// stays short, at the cost of one copying stop in every few.
/// </summary>
internal sealed unsafe class SnapshotWriter : BinaryWriter
{
    internal const int MaxFiles = 8;

    private readonly IndexPages? _kept; // pages whose files the snapshot keeps (null: every block inline, as before)
    private readonly IndexPages? _pages; // _kept, when blocks in them are referred to
    private readonly FileStream? _into; // or every block is copied here
    private long _lengthAt; // where the header holds _into's length, filled in by Complete

    public SnapshotWriter(Stream stream, IndexPages? pages) : base(stream, System.Text.Encoding.UTF8, leaveOpen: true)
    {
        if (pages is not { KeepsFiles: true }) return;
        _kept = pages;
        if (pages.Files.Count <= MaxFiles) _pages = pages;
        else _into = new FileStream(pages.NewFilePath("snapshot"), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 20);
    }

    /// <summary>Whether the snapshot refers to the pages' own files, which the stop must then keep (<see cref="IndexPages.Keep"/>).</summary>
    public bool RefersToPages => _pages is not null;

    /// <summary>Writes what <see cref="SnapshotSource.MapPageFiles"/> reads: the files the blocks will refer to, and the bytes in use.</summary>
    public void WritePageFiles()
    {
        if (_into is not null)
        {
            Write(1);
            Write(Path.GetFileName(_into.Name));
            Flush();
            _lengthAt = BaseStream.Position;
            Write(0L);
        }
        else
        {
            var files = _pages?.Files ?? [];
            Write(files.Count);
            foreach (var (name, length) in files)
            {
                Write(name);
                Write(length);
            }
        }
        Write(_kept?.LiveBytes ?? 0L);
    }

    // Where a block goes when it is not written inline: its place in a file of the pages, or a new place in the file
    // every block is copied to.
    internal (int File, long Offset)? Place(ReadOnlySpan<byte> bytes)
    {
        if (_into is not null)
        {
            var align = SnapshotBlocks.AlignmentOf(bytes.Length);
            var at = (_into.Position + align - 1) & ~(long)(align - 1);
            _into.Position = at;
            _into.Write(bytes);
            // A block of a page or more owns every page it reaches into, as in the pages (IndexPages.BlockBytes): freed
            // or paged out later, its last page is punched or paged out whole, so nothing else may start in it.
            if (align == SnapshotBlocks.PageAlignment) _into.Position = (_into.Position + align - 1) & ~(long)(align - 1);
            return (0, at);
        }
        return _pages?.Locate(Unsafe.AsPointer(ref MemoryMarshal.GetReference(bytes)), bytes.Length);
    }

    /// <summary>Puts what the snapshot refers to on disk, before the snapshot itself is (and fills in the copy's length).</summary>
    public void Complete()
    {
        _pages?.Sync();
        if (_into is null) return;
        // Whole pages, so that the last block's last page is the file's own.
        _into.SetLength((_into.Length + SnapshotBlocks.PageAlignment - 1) & ~(long)(SnapshotBlocks.PageAlignment - 1));
        _into.Flush(flushToDisk: true);
        Flush();
        var end = BaseStream.Position;
        BaseStream.Position = _lengthAt;
        Write(_into.Length);
        Flush();
        BaseStream.Position = end;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _into?.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>
/// Where a snapshot is read from: a <see cref="BinaryReader"/> for its small fields and, when it is a file, a
/// mapping of it from which raw blocks are used in place: copy-on-write (a write to a mapped page copies that page into
/// the process; the file never changes), or, for a store with index pages, shared (a write goes to the file, which the
/// start unlinks anyway, so the page stays one the kernel can write back and drop: docs/storage.md, "Index pages in a
/// file"). Each structure that points into the mapping keeps <see cref="Owner"/>, and the mapping is never unmapped: a
/// process maps one snapshot, at its start, and uses it until it ends. Not thread-safe.
/// </summary>
public sealed unsafe class SnapshotSource
{
    private readonly MappedFile? _mapped;

    /// <summary>Reads <paramref name="stream"/>; a file stream is also mapped (unless <paramref name="map"/> is false).</summary>
    /// <param name="pages">Where what the loaded structures add from then on goes (<see cref="Pages"/>).</param>
    internal SnapshotSource(Stream stream, bool map = true, IndexPages? pages = null)
    {
        Pages = pages;
        Reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        if (map && stream is FileStream file && file.Length > 0) _mapped = new MappedFile(file, shared: pages is not null && file.CanWrite);
    }

    /// <summary>The index pages of the store loading the snapshot: what its structures add after the start goes there.</summary>
    internal IndexPages? Pages { get; }

    /// <summary>The snapshot's small fields, read in order.</summary>
    public BinaryReader Reader { get; }

    /// <summary>What a structure pointing into the mapping keeps, so that the mapping outlives it; null without one.</summary>
    internal object? Owner => _mapped;

    // The index pages' region files the snapshot refers to, mapped by Pages (IndexPages.Inherit), in its numbering.
    private readonly List<(nint Base, long Length)> _files = [];

    /// <summary>
    /// Maps the region files the snapshot names (read from <see cref="Reader"/>: their count, each one's name and length,
    /// then the bytes of their blocks in use), beside <paramref name="directory"/>, through <see cref="Pages"/>.
    /// </summary>
    internal void MapPageFiles(string directory)
    {
        var count = Reader.ReadInt32();
        if (count < 0 || count > 4096) throw new InvalidDataException($"{count} index page files cannot be.");
        if (count > 0 && Pages is not { KeepsFiles: true }) throw new InvalidDataException("it refers to index page files this start cannot map");
        for (var i = 0; i < count; i++)
        {
            var name = Reader.ReadString();
            var length = Reader.ReadInt64();
            if (name != Path.GetFileName(name) || length <= 0) throw new InvalidDataException($"An index page file {name} of {length} bytes cannot be.");
            var path = Path.Combine(directory, name);
            if (!File.Exists(path)) throw new InvalidDataException($"the index page file {name} is missing");
            _files.Add(((nint)Pages!.Inherit(path, length), length));
        }
        var live = Reader.ReadInt64();
        if (live < 0) throw new InvalidDataException($"{live} bytes in use cannot be.");
        Pages?.CountInherited(live);
    }

    /// <summary>
    /// The next raw block, of <paramref name="count"/> items: a pointer into the mapping, or, without one, into a new
    /// pinned array (returned in <paramref name="copy"/>, which the caller keeps alive).
    /// </summary>
    internal T* Block<T>(int count, out T[]? copy) where T : unmanaged
    {
        var length = Reader.ReadInt64();
        if (length != (long)count * sizeof(T)) throw new InvalidDataException($"A block of {length} bytes where {count} items of {sizeof(T)} bytes were expected.");
        if (SnapshotBlocks.IsInPages(Reader.ReadByte()))
        {
            var file = Reader.ReadInt32();
            var offset = Reader.ReadInt64();
            if (file < 0 || file >= _files.Count || offset < 0 || offset + length > _files[file].Length)
                throw new InvalidDataException($"A block at {offset} of file {file} of the index pages cannot be.");
            copy = null;
            return (T*)(_files[file].Base + offset);
        }
        var stream = Reader.BaseStream;
        var align = SnapshotBlocks.AlignmentOf(length);
        stream.Position += (align - stream.Position % align) % align;
        if (_mapped is not null)
        {
            if (stream.Position + length > _mapped.Length) throw new InvalidDataException("A block runs past the end of the snapshot.");
            var at = (T*)(_mapped.Base + stream.Position);
            stream.Position += length;
            copy = null;
            return at;
        }
        copy = GC.AllocateUninitializedArray<T>(count, pinned: true);
        stream.ReadExactly(MemoryMarshal.AsBytes(copy.AsSpan()));
        return (T*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(copy));
    }

    private sealed class MappedFile
    {
        private readonly MemoryMappedFile _file;
        private readonly MemoryMappedViewAccessor _view;

        public MappedFile(FileStream stream, bool shared)
        {
            Length = stream.Length;
            var access = shared ? MemoryMappedFileAccess.ReadWrite : MemoryMappedFileAccess.CopyOnWrite;
            _file = MemoryMappedFile.CreateFromFile(stream, null, 0, access, HandleInheritability.None, leaveOpen: true);
            _view = _file.CreateViewAccessor(0, 0, access);
            byte* at = null;
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref at); // never released: the mapping lasts as long as the process
            Base = at + _view.PointerOffset;
            if (shared) IndexPages.ReadAtRandom(Base, Length); // as the index pages: pages of it are paged out one by one
        }

        public byte* Base { get; }
        public long Length { get; }
    }
}

/// <summary>
/// Fixed-size arrays of plain structs, each either a managed array or a block of <see cref="IndexPages"/> (what this
/// process added: pages with a file store, arrays otherwise) or a block of a mapped snapshot (what a start loaded), read
/// and written alike through <see cref="At"/>. What the compact index keeps in chunks (map entries, UTF-8 ids, list keys)
/// lives in one of these, so a start can leave it where the snapshot is.
/// <para>
/// A structure that mostly appends (map entries, ids, list keys, slab slices, the timers' heap, the event feed's log)
/// passes <c>coolBehind</c>: with pages, a chunk is paged out (<see cref="IndexPages.PageOut"/>) once the newest 2 MB
/// of chunks no longer include it, and every 64 chunks every older chunk is again, so what stays mapped is the recent
/// end and what was read since the last sweep (docs/storage.md, "Frozen runs").
/// </para>
/// </summary>
internal sealed unsafe class Chunks<T>(IndexPages? pages = null, bool coolBehind = false) where T : unmanaged
{
    private const int SweepEvery = 64;
    private const long KeepBytes = 2L << 20;
    private int _cooledTo; // chunks below were paged out once (a sweep does them again)

    private readonly List<T[]?> _arrays = [];
    private readonly List<nint> _mapped = [];
    private readonly List<int> _lengths = [];
    private readonly List<object> _owners = []; // mappings (and pinned copies) the mapped chunks point into

    public int Count => _arrays.Count;

    public int LengthOf(int chunk) => _lengths[chunk];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref T At(int chunk, int index)
    {
        var array = _arrays[chunk];
        if (array is not null) return ref array[index];
        return ref ((T*)_mapped[chunk])[index];
    }

    public Span<T> Span(int chunk)
    {
        var array = _arrays[chunk];
        return array is not null ? array.AsSpan() : new Span<T>((void*)_mapped[chunk], _lengths[chunk]);
    }

    /// <summary>Bytes of the chunks that are blocks of a file mapping (pages or snapshot) and in memory now (a diagnostic).</summary>
    public long Resident()
    {
        long n = 0;
        for (var c = 0; c < _arrays.Count; c++)
            if (_arrays[c] is null) n += IndexPages.Resident((void*)_mapped[c], (long)_lengths[c] * sizeof(T));
        return n;
    }

    /// <summary>The pages new chunks come from (null: managed arrays).</summary>
    public IndexPages? Pages => pages;

    /// <summary>Appends a new zeroed chunk of <paramref name="length"/> items: a block of the pages, or a managed array.</summary>
    public void AddNew(int length)
    {
        if (pages is null)
        {
            Add(new T[length]);
            return;
        }
        if (_owners.Count == 0 || !ReferenceEquals(_owners[^1], pages)) _owners.Add(pages);
        _arrays.Add(null);
        _mapped.Add((nint)pages.Allocate<T>(length));
        _lengths.Add(length);
        if (coolBehind) CoolBehind();
    }

    // Chunks behind the newest KeepBytes out of the process, each once, and every SweepEvery chunks all of them again
    // (those read since they were paged out). Only blocks of a file mapping: the pages' or a snapshot's mapped shared.
    private void CoolBehind()
    {
        // The newest chunks within KeepBytes stay: what was just written and what is read soon after (the object cache's
        // versions leave it about 50,000 versions later and touch their entries then).
        var keep = _arrays.Count;
        for (long bytes = 0; keep > 0 && (bytes += (long)_lengths[keep - 1] * sizeof(T)) <= KeepBytes;) keep--;
        var from = _arrays.Count % SweepEvery == 0 ? 0 : _cooledTo;
        for (var c = from; c < keep; c++)
            if (_arrays[c] is null) pages!.PageOut((void*)_mapped[c], (long)_lengths[c] * sizeof(T));
        _cooledTo = Math.Max(_cooledTo, keep);
    }

    /// <summary>Appends a new uninitialised chunk of <paramref name="length"/> items (zeroed when it is a block of the pages).</summary>
    public void AddUninitialized(int length)
    {
        if (pages is null) Add(GC.AllocateUninitializedArray<T>(length));
        else AddNew(length);
    }

    /// <summary>Appends a managed array (a new chunk).</summary>
    public void Add(T[] array)
    {
        _arrays.Add(array);
        _mapped.Add(0);
        _lengths.Add(array.Length);
    }

    /// <summary>Drops the last chunk, giving it back if it is a block of the pages.</summary>
    public void RemoveLast()
    {
        var c = _arrays.Count - 1;
        GiveBack(c);
        _arrays.RemoveAt(c);
        _mapped.RemoveAt(c);
        _lengths.RemoveAt(c);
        _cooledTo = Math.Min(_cooledTo, _arrays.Count);
    }

    // Chunk c back to the pages if it is one of their blocks (not a managed array, nor a block of a snapshot's mapping).
    private void GiveBack(int c)
    {
        if (_arrays[c] is null && pages is not null && pages.Owns((void*)_mapped[c])) pages.Free((T*)_mapped[c], _lengths[c]);
    }

    /// <summary>Drops every chunk, giving the pages' blocks back (a block of a snapshot's mapping stays where it is).</summary>
    public void Clear()
    {
        for (var c = 0; c < _arrays.Count; c++) GiveBack(c);
        _arrays.Clear();
        _mapped.Clear();
        _lengths.Clear();
        _owners.Clear();
        _cooledTo = 0;
    }

    /// <summary>Appends the next raw block of <paramref name="source"/> as a chunk of <paramref name="length"/> items, in place.</summary>
    public void AddBlock(SnapshotSource source, int length)
    {
        var at = source.Block<T>(length, out var copy);
        var owner = (object?)copy ?? source.Owner!;
        if (_owners.Count == 0 || !ReferenceEquals(_owners[^1], owner)) _owners.Add(owner);
        _arrays.Add(null);
        _mapped.Add((nint)at);
        _lengths.Add(length);
    }
}

/// <summary>
/// The per-shard tables of an open-addressed hash table (<see cref="ObjectMap"/>'s slots, <see cref="SecondaryKeys"/>'
/// slots), each a managed array, a block of <see cref="IndexPages"/> (one of a page or more, with pages), or a block of a
/// mapped snapshot (after a start from one, until the shard grows). Guarded by its owner's lock.
/// </summary>
internal sealed unsafe class ShardTables<T>(int shards, IndexPages? pages) where T : unmanaged
{
    private readonly T[]?[] _arrays = new T[shards][];
    private readonly T*[] _blocks = new T*[shards];
    private readonly int[] _lengths = new int[shards];
    private object? _mapping; // the snapshot's mapping, while a table is in it

    /// <summary>Copies a table's entries into a grown one.</summary>
    public delegate void Move(ReadOnlySpan<T> from, Span<T> to);

    public Span<T> Of(int shard) => _arrays[shard] ?? new Span<T>(_blocks[shard], _lengths[shard]);

    /// <summary>Bytes of the tables that are blocks of a file mapping and in memory now (a diagnostic).</summary>
    public long Resident()
    {
        long n = 0;
        for (var shard = 0; shard < _arrays.Length; shard++)
            if (_arrays[shard] is null) n += IndexPages.Resident(_blocks[shard], (long)_lengths[shard] * sizeof(T));
        return n;
    }

    /// <summary>The tables' size in bytes (every slot, used or not).</summary>
    public long Bytes
    {
        get
        {
            long slots = 0;
            for (var shard = 0; shard < _arrays.Length; shard++) slots += Of(shard).Length;
            return slots * sizeof(T);
        }
    }

    /// <summary>Gives <paramref name="shard"/> a new managed table of <paramref name="length"/> (0: none yet).</summary>
    public void SetNew(int shard, int length) => _arrays[shard] = length == 0 ? [] : new T[length];

    /// <summary>
    /// Replaces <paramref name="shard"/>'s table with a zeroed one of <paramref name="length"/>, into which
    /// <paramref name="move"/> copies the old one's entries; the old table goes back to the pages if it was one of their
    /// blocks (one in a snapshot's mapping is left behind).
    /// </summary>
    public void Grow(int shard, int length, Move move)
    {
        var old = Of(shard);
        var block = pages is not null && (long)length * sizeof(T) >= IndexPages.MinBlockBytes ? pages.Allocate<T>(length) : null;
        var array = block is null ? new T[length] : null;
        move(old, array is not null ? array.AsSpan() : new Span<T>(block, length));
        if (_arrays[shard] is null && pages is not null && pages.Owns(_blocks[shard])) pages.Free(_blocks[shard], old.Length);
        _arrays[shard] = array;
        _blocks[shard] = block;
        _lengths[shard] = length;
    }

    /// <summary>
    /// Copies every used slot of every shard into <paramref name="into"/> and gives each shard a new, empty table of
    /// <paramref name="length"/> (the old ones back to the pages): what a table freezes into a run. Returns how many.
    /// </summary>
    public int Drain(Span<T> into, Predicate<T> used, int length)
    {
        var n = 0;
        for (var shard = 0; shard < _arrays.Length; shard++)
        {
            foreach (var slot in Of(shard))
                if (used(slot)) into[n++] = slot;
            Grow(shard, length, static (_, _) => { });
        }
        return n;
    }

    /// <summary>The next raw block of <paramref name="source"/> as <paramref name="shard"/>'s table of <paramref name="length"/>, in place when mapped.</summary>
    public void Load(int shard, SnapshotSource source, int length)
    {
        _blocks[shard] = source.Block<T>(length, out var copy);
        _lengths[shard] = length;
        _arrays[shard] = copy; // without a mapping, the copy is the table
        _mapping ??= source.Owner;
    }
}
