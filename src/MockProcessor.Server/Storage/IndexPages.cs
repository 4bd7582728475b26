using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace MockProcessor.Server.Storage;

/// <summary>
/// Where a file store's compact index keeps its large arrays (docs/storage.md, "Index pages in a file"): blocks of a
/// shared mapping of a scratch file beside the database, not managed arrays. The kernel then treats the index as file
/// pages: it writes dirty ones back and drops clean ones under memory pressure, as it does with the database's own
/// pages, so the process's private memory no longer grows with history; on a machine with memory to spare the pages stay
/// resident and cost what the arrays cost.
/// <para>
/// The file is unlinked as soon as it is mapped: it holds nothing a start could use (the index snapshot of a clean stop
/// is written from it like from memory), and a crash leaves nothing behind. Address space is taken in regions of
/// <see cref="RegionBytes"/>, each a sparse file of its own; a block is handed out once and never reused (every block
/// is zero when handed out, like a new array). A freed block's whole pages are punched out of the file (MADV_REMOVE), so
/// its memory and disk return to the system. Mappings are never unmapped: a pointer kept past <see cref="Dispose"/>
/// reads zeros instead of crashing the process. Thread-safe (trees allocate under their own locks).
/// </para>
/// </summary>
public sealed unsafe class IndexPages : IDisposable
{
    /// <summary>Address space per region (sparse on disk: only what is written takes space).</summary>
    internal const long RegionBytes = 1L << 30;

    /// <summary>The smallest table worth a block: below a page, a managed array wastes less.</summary>
    internal const int MinBlockBytes = 4096;

    private readonly string _pathPrefix;
    private readonly Lock _gate = new();
    private readonly List<Region> _regions = [];
    private long _used; // in the last region
    private long _live;
    private bool _disposed;

    /// <param name="pathPrefix">The scratch files' path without their number (the database's path and <c>.pages</c>).</param>
    /// <param name="openNow">Whether to map the first region at once, so that a file system that cannot map it fails here.</param>
    public IndexPages(string pathPrefix, bool openNow = false)
    {
        _pathPrefix = pathPrefix;
        if (openNow) Open(RegionBytes);
    }

    /// <summary>Bytes handed out and not freed.</summary>
    public long LiveBytes => Volatile.Read(ref _live);

    /// <summary>Address space mapped so far.</summary>
    public long MappedBytes
    {
        get { lock (_gate) return _regions.Sum(r => r.Length); }
    }

    /// <summary>A zeroed block of <paramref name="count"/> items, 64-byte aligned.</summary>
    public T* Allocate<T>(int count) where T : unmanaged
    {
        var bytes = BlockBytes<T>(count);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_regions.Count == 0 || _used + bytes > _regions[^1].Length) Open(Math.Max(RegionBytes, RoundToPage(bytes)));
            var at = _regions[^1].Base + _used;
            _used += bytes;
            Interlocked.Add(ref _live, bytes); // Free subtracts outside the lock
            return (T*)at;
        }
    }

    /// <summary>Gives back a block <see cref="Allocate{T}"/> handed out: its whole pages leave memory and the file.</summary>
    public void Free<T>(T* block, int count) where T : unmanaged
    {
        var bytes = BlockBytes<T>(count);
        Interlocked.Add(ref _live, -bytes);
        Punch((byte*)block, bytes);
    }

    /// <summary>Whether <paramref name="p"/> points into one of these regions (a block of the snapshot's mapping does not).</summary>
    public bool Owns(void* p)
    {
        lock (_gate)
            foreach (var r in _regions)
                if ((byte*)p >= r.Base && (byte*)p < r.Base + r.Length) return true;
        return false;
    }

    /// <summary>Punches out everything handed out; the mappings stay (see the class remarks).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            foreach (var r in _regions) Punch(r.Base, r.Length);
            Interlocked.Exchange(ref _live, 0);
        }
    }

    private void Open(long length)
    {
        var path = $"{_pathPrefix}.{_regions.Count}";
        var stream = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 1,
            OperatingSystem.IsWindows() ? FileOptions.DeleteOnClose : FileOptions.None);
        try
        {
            // The mapping outlives the file's handle: closing it (with the MemoryMappedFile) keeps no descriptor per region.
            using var file = MemoryMappedFile.CreateFromFile(stream, null, length, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
            var view = file.CreateViewAccessor(0, length, MemoryMappedFileAccess.ReadWrite);
            byte* at = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref at); // never released: see the class remarks
            _regions.Add(new Region(view, at + view.PointerOffset, length));
            _used = 0;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        if (!OperatingSystem.IsWindows()) File.Delete(path); // the mapping keeps the file; nothing is left after the process
    }

    private static long BlockBytes<T>(int count) where T : unmanaged =>
        Math.Max(SnapshotBlocks.Alignment, ((long)count * sizeof(T) + SnapshotBlocks.Alignment - 1) & ~(long)(SnapshotBlocks.Alignment - 1));

    private static long RoundToPage(long bytes) => (bytes + Environment.SystemPageSize - 1) & ~(long)(Environment.SystemPageSize - 1);

    // The whole pages inside [start, start + bytes): their memory and their disk blocks go back to the system, and they
    // read as zeros if touched again. Best effort: where the call is missing (not Linux) the pages just stay.
    private static void Punch(byte* start, long bytes)
    {
        if (!OperatingSystem.IsLinux()) return;
        var page = Environment.SystemPageSize;
        var from = ((long)start + page - 1) & ~(long)(page - 1);
        var to = ((long)start + bytes) & ~(long)(page - 1);
        if (to > from) _ = madvise((void*)from, (nuint)(to - from), MadvRemove);
    }

    private const int MadvRemove = 9;

    [DllImport("libc", SetLastError = true)]
    private static extern int madvise(void* address, nuint length, int advice);

    // The view is kept so that the mapping is never finalised away.
    private sealed class Region(MemoryMappedViewAccessor view, byte* start, long length)
    {
        public MemoryMappedViewAccessor View { get; } = view;
        public byte* Base { get; } = start;
        public long Length { get; } = length;
    }
}
