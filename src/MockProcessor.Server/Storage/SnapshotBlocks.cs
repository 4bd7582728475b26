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

    /// <summary>Writes <paramref name="items"/> as one raw block: its length in bytes, padding to the boundary, the bytes.</summary>
    public static void Write<T>(BinaryWriter w, ReadOnlySpan<T> items) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(items);
        w.Write((long)bytes.Length);
        w.Flush();
        var pad = (int)((Alignment - w.BaseStream.Position % Alignment) % Alignment);
        Span<byte> zeros = stackalloc byte[Alignment];
        zeros.Clear();
        w.Write(zeros[..pad]);
        w.Write(bytes);
    }
}

/// <summary>
/// Where a snapshot is read from: a <see cref="BinaryReader"/> for its small fields and, when it is a file, a
/// copy-on-write mapping of it from which raw blocks are used in place (a write to a mapped page copies that page into the
/// process; the file never changes). Each structure that points into the mapping keeps <see cref="Owner"/>, and the
/// mapping is never unmapped: a process maps one snapshot, at its start, and uses it until it ends. Not thread-safe.
/// </summary>
public sealed unsafe class SnapshotSource
{
    private readonly MappedFile? _mapped;

    /// <summary>Reads <paramref name="stream"/>; a file stream is also mapped (unless <paramref name="map"/> is false).</summary>
    internal SnapshotSource(Stream stream, bool map = true)
    {
        Reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        if (map && stream is FileStream file && file.Length > 0) _mapped = new MappedFile(file);
    }

    /// <summary>The snapshot's small fields, read in order.</summary>
    public BinaryReader Reader { get; }

    /// <summary>What a structure pointing into the mapping keeps, so that the mapping outlives it; null without one.</summary>
    internal object? Owner => _mapped;

    /// <summary>
    /// The next raw block, of <paramref name="count"/> items: a pointer into the mapping, or, without one, into a new
    /// pinned array (returned in <paramref name="copy"/>, which the caller keeps alive).
    /// </summary>
    internal T* Block<T>(int count, out T[]? copy) where T : unmanaged
    {
        var length = Reader.ReadInt64();
        if (length != (long)count * sizeof(T)) throw new InvalidDataException($"A block of {length} bytes where {count} items of {sizeof(T)} bytes were expected.");
        var stream = Reader.BaseStream;
        stream.Position += (SnapshotBlocks.Alignment - stream.Position % SnapshotBlocks.Alignment) % SnapshotBlocks.Alignment;
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

        public MappedFile(FileStream stream)
        {
            Length = stream.Length;
            _file = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.CopyOnWrite, HandleInheritability.None, leaveOpen: true);
            _view = _file.CreateViewAccessor(0, 0, MemoryMappedFileAccess.CopyOnWrite);
            byte* at = null;
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref at); // never released: the mapping lasts as long as the process
            Base = at + _view.PointerOffset;
        }

        public byte* Base { get; }
        public long Length { get; }
    }
}

/// <summary>
/// Fixed-size arrays of plain structs, each either a managed array (what this process added) or a block of a mapped
/// snapshot (what a start loaded), read and written alike through <see cref="At"/>. What the compact index keeps in
/// chunks (map entries, UTF-8 ids, list keys) lives in one of these, so a start can leave it where the snapshot is.
/// </summary>
internal sealed unsafe class Chunks<T> where T : unmanaged
{
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

    /// <summary>Appends a managed array (a new chunk).</summary>
    public void Add(T[] array)
    {
        _arrays.Add(array);
        _mapped.Add(0);
        _lengths.Add(array.Length);
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
