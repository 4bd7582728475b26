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
/// Without <c>keepFiles</c> a region's file is unlinked as soon as it is mapped, and a crash leaves nothing behind. With
/// it (a store that writes index snapshots) the files keep their names, so that a clean stop's snapshot can refer to
/// them and the next start map them again (docs/storage.md, "The snapshot refers to the pages"). Address space is taken in regions of
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
    private readonly bool _keepFiles;
    private readonly string _generation = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4)).ToLowerInvariant();
    private readonly Lock _gate = new();
    private readonly List<Region> _regions = [];
    private readonly List<Region> _inherited = []; // an index snapshot's regions, mapped at the start that loaded it
    private bool _kept; // a snapshot refers to the files: Dispose leaves them
    private long _inheritedLive; // what CountInherited counted, taken back if the snapshot is refused
    private long _used; // in the last region
    private long _live;
    private long _pagedOut;
    private readonly System.Collections.Concurrent.ConcurrentQueue<(nint Start, long Bytes)> _cooling = new();
    private int _cooler; // 1 while a pool thread works through _cooling
    private bool _disposed;

    /// <param name="pathPrefix">The scratch files' path without their number (the database's path and <c>.pages</c>).</param>
    /// <param name="openNow">Whether to map the first region at once, so that a file system that cannot map it fails here.</param>
    /// <param name="keepFiles">
    /// Whether the region files keep their names while mapped, so that an index snapshot can refer to them instead of
    /// copying them (<see cref="Locate"/>, <see cref="Keep"/>; docs/storage.md, "The snapshot refers to the pages"). Linux only.
    /// </param>
    public IndexPages(string pathPrefix, bool openNow = false, bool keepFiles = false)
    {
        _pathPrefix = pathPrefix;
        _keepFiles = keepFiles && OperatingSystem.IsLinux();
        if (openNow) Open(RegionBytes);
    }

    /// <summary>Whether an index snapshot may refer to these pages' files (see the constructor).</summary>
    public bool KeepsFiles => _keepFiles;

    /// <summary>Bytes handed out and not freed.</summary>
    public long LiveBytes => Volatile.Read(ref _live);

    /// <summary>Address space mapped so far.</summary>
    public long MappedBytes
    {
        get { lock (_gate) return _regions.Sum(r => r.Length); }
    }

    /// <summary>
    /// A zeroed block of <paramref name="count"/> items, 64-byte aligned; one of a page or more takes whole pages, so
    /// freeing or paging it out leaves no page it shares with a neighbour behind (<see cref="SnapshotBlocks.AlignmentOf"/>).
    /// </summary>
    public T* Allocate<T>(int count) where T : unmanaged
    {
        var bytes = BlockBytes<T>(count);
        var align = SnapshotBlocks.AlignmentOf(bytes);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _used = (_used + align - 1) & ~(long)(align - 1);
            if (_regions.Count == 0 || _used + bytes > _regions[^1].Length) Open(Math.Max(RegionBytes, RoundToPage(bytes)));
            var at = _regions[^1].Base + _used;
            _used += bytes;
            Interlocked.Add(ref _live, bytes); // Free subtracts outside the lock
            return (T*)at;
        }
    }

    /// <summary>
    /// Maps a region file an index snapshot refers to (shared, in place, as the index pages' own), for the blocks that
    /// snapshot's structures use from then on; returns its base. Blocks are never allocated from it, but they are freed
    /// (punched) and referred to by the next snapshot like the pages' own.
    /// </summary>
    internal byte* Inherit(string path, long length)
    {
        if (!_keepFiles) throw new InvalidOperationException("These index pages do not keep their files.");
        var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 1);
        if (stream.Length != length)
        {
            stream.Dispose();
            throw new InvalidDataException($"{Path.GetFileName(path)} holds {stream.Length} bytes where {length} were written.");
        }
        var region = Map(stream, path, length);
        lock (_gate) _inherited.Add(region);
        return region.Base;
    }

    /// <summary>
    /// Drops the inherited regions of a snapshot that was then refused: nothing points into them any more. Their pages
    /// are punched and their files deleted; the mappings stay (see the class remarks).
    /// </summary>
    internal void ForgetInherited()
    {
        lock (_gate)
        {
            foreach (var r in _inherited) Discard(r);
            _inherited.Clear();
            Interlocked.Add(ref _live, -_inheritedLive);
            _inheritedLive = 0;
        }
    }

    /// <summary>Counts the bytes of inherited blocks in use in <see cref="LiveBytes"/> (as the snapshot recorded them).</summary>
    internal void CountInherited(long bytes)
    {
        lock (_gate) _inheritedLive += bytes;
        Interlocked.Add(ref _live, bytes);
    }

    /// <summary>
    /// Where [<paramref name="start"/>, +<paramref name="bytes"/>) lies: the number of its region in <see cref="Files"/>
    /// and its offset there, or null when it is not inside one region (a managed array, a block of an old snapshot's mapping).
    /// </summary>
    internal (int File, long Offset)? Locate(void* start, long bytes)
    {
        lock (_gate)
        {
            var i = 0;
            foreach (var r in AllRegions)
            {
                if ((byte*)start >= r.Base && (byte*)start + bytes <= r.Base + r.Length) return (i, (byte*)start - r.Base);
                i++;
            }
        }
        return null;
    }

    /// <summary>The region files, own then inherited, in the order <see cref="Locate"/> numbers them: name and length.</summary>
    internal IReadOnlyList<(string Name, long Length)> Files
    {
        get
        {
            lock (_gate) return [.. AllRegions.Select(r => (Path.GetFileName(r.Path), r.Length))];
        }
    }

    /// <summary>A path beside the region files, of this process's generation, that <see cref="DeleteStrays"/> treats as theirs.</summary>
    internal string NewFilePath(string suffix) => $"{_pathPrefix}.{_generation}.{suffix}";

    /// <summary>Writes every dirty page of the region files to disk (before an index snapshot that refers to them is named).</summary>
    internal void Sync()
    {
        lock (_gate)
            foreach (var r in AllRegions)
                if (msync(r.Base, (nuint)r.Length, MsSync) != 0)
                    throw new IOException($"msync of {Path.GetFileName(r.Path)} failed: errno {Marshal.GetLastPInvokeError()}.");
    }

    /// <summary>An index snapshot now refers to the region files: <see cref="Dispose"/> leaves them as they are.</summary>
    internal void Keep()
    {
        lock (_gate) _kept = true;
    }

    /// <summary>
    /// Deletes files beside <paramref name="pathPrefix"/> that earlier processes' index pages left (kept for a snapshot
    /// that was then not used, or left by a crash), except those these pages map.
    /// </summary>
    internal void DeleteStrays()
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(_pathPrefix))!;
        var prefix = Path.GetFileName(_pathPrefix) + ".";
        HashSet<string> mapped;
        lock (_gate) mapped = [.. AllRegions.Select(r => Path.GetFullPath(r.Path))];
        foreach (var path in Directory.EnumerateFiles(dir, prefix + "*"))
            if (!mapped.Contains(Path.GetFullPath(path)))
                try { File.Delete(path); } catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>Gives back a block <see cref="Allocate{T}"/> handed out: its whole pages leave memory and the file.</summary>
    public void Free<T>(T* block, int count) where T : unmanaged
    {
        var bytes = BlockBytes<T>(count);
        Interlocked.Add(ref _live, -bytes);
        Punch((byte*)block, bytes);
    }

    /// <summary>Bytes asked to leave memory by <see cref="PageOut"/> (counted whether or not they were resident).</summary>
    public long PagedOutBytes => Volatile.Read(ref _pagedOut);

    /// <summary>
    /// Takes the whole pages inside [<paramref name="start"/>, +<paramref name="bytes"/>) (for a block of a page or more, every
    /// page it reaches into) out of the process
    /// (MADV_PAGEOUT), for a block of these pages or of a snapshot mapped shared that will not be touched again soon: a
    /// frozen run, an index's full chunks (docs/storage.md, "Frozen runs"). The kernel unmaps them at once and drops a
    /// clean page from its cache; a dirty one stays in the page cache until its write-back, then is a clean cached page
    /// it can drop whenever memory is short. Its data stays: a later read maps the page again (from the file if it was
    /// dropped). Without this the kernel leaves every page mapped that it is not short of memory for, and the resident set
    /// grows with history although the process no longer touches it.
    /// <para>
    /// Done on a pool thread, not the caller's (which holds a tree's lock). Best effort: nothing where the call is
    /// missing. A range punched or written meanwhile is still safe: the mappings are never unmapped.
    /// </para>
    /// </summary>
    public void PageOut(void* start, long bytes)
    {
        if (!OperatingSystem.IsLinux() || bytes <= 0) return;
        // A block of a page or more starts on a page and owns every page it reaches into (BlockBytes): its last page,
        // partly used, goes too. Without this the last page of every 64 KB chunk of ids (65,472 bytes used) stayed
        // mapped: one page in sixteen of the ids, 11 MB at a million payments.
        if (bytes >= MinBlockBytes && ((nint)start & (Environment.SystemPageSize - 1)) == 0) bytes = RoundToPage(bytes);
        Interlocked.Add(ref _pagedOut, bytes);
        _cooling.Enqueue(((nint)start, bytes));
        if (Interlocked.CompareExchange(ref _cooler, 1, 0) == 0)
            ThreadPool.UnsafeQueueUserWorkItem(static pages => pages.Cool(), this, preferLocal: false);
    }

    /// <summary>Whether ranges given to <see cref="PageOut"/> are still waiting (for tests).</summary>
    internal bool Cooling => Volatile.Read(ref _cooler) != 0 || !_cooling.IsEmpty;

    private void Cool()
    {
        for (;;)
        {
            while (_cooling.TryDequeue(out var range))
            {
                if (Volatile.Read(ref _disposed)) continue; // punched: nothing left
                Advise((byte*)range.Start, range.Bytes, MadvPageout);
            }
            Volatile.Write(ref _cooler, 0);
            // A range queued after the queue looked empty and before the flag was cleared is taken here.
            if (_cooling.IsEmpty || Interlocked.CompareExchange(ref _cooler, 1, 0) != 0) return;
        }
    }

    /// <summary>
    /// Bytes of [<paramref name="start"/>, +<paramref name="bytes"/>) whose pages are mapped in this process now, as its
    /// resident set counts them (the present bit of <c>/proc/self/pagemap</c>; a page can stay in the page cache after it
    /// left the process). A diagnostic; 0 where that file cannot be read.
    /// </summary>
    internal static long Resident(void* start, long bytes)
    {
        if (!OperatingSystem.IsLinux() || bytes <= 0) return 0;
        var page = Environment.SystemPageSize;
        var first = (long)start / page;
        var count = (int)(((long)start + bytes + page - 1) / page - first);
        var entries = new ulong[count];
        try
        {
            using var map = File.OpenHandle("/proc/self/pagemap", FileMode.Open, FileAccess.Read);
            if (RandomAccess.Read(map, MemoryMarshal.AsBytes(entries.AsSpan()), first * sizeof(ulong)) != count * sizeof(ulong)) return 0;
        }
        catch (IOException) { return 0; }
        catch (UnauthorizedAccessException) { return 0; }
        long present = 0;
        foreach (var e in entries) present += (long)(e >> 63);
        return present * page;
    }

    /// <summary>Whether <paramref name="p"/> points into one of these regions, inherited ones included (a block of an old snapshot's mapping does not).</summary>
    public bool Owns(void* p)
    {
        lock (_gate)
            foreach (var r in AllRegions)
                if ((byte*)p >= r.Base && (byte*)p < r.Base + r.Length) return true;
        return false;
    }

    /// <summary>
    /// Punches out everything handed out and deletes kept files; the mappings stay (see the class remarks). Unless an index
    /// snapshot refers to the files (<see cref="Keep"/>): then they stay as they are, for the next start.
    /// </summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _disposed = true;
            if (_kept) return;
            foreach (var r in AllRegions) Discard(r);
            Interlocked.Exchange(ref _live, 0);
        }
    }

    // Own regions, then inherited ones: the numbering Locate and Files use. Under _gate.
    private IEnumerable<Region> AllRegions => _regions.Concat(_inherited);

    // A region nothing will read again: its pages leave memory and disk, and a kept file goes (an unlinked one already has).
    private void Discard(Region r)
    {
        Punch(r.Base, r.Length);
        if (_keepFiles) try { File.Delete(r.Path); } catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
    }

    private void Open(long length)
    {
        // Kept files are named by this process's generation, so that a start never overwrites the files of the snapshot
        // it may load; scratch files are unlinked once mapped.
        var path = _keepFiles ? $"{_pathPrefix}.{_generation}.{_regions.Count}" : $"{_pathPrefix}.{_regions.Count}";
        var stream = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 1,
            OperatingSystem.IsWindows() ? FileOptions.DeleteOnClose : FileOptions.None);
        _regions.Add(Map(stream, path, length));
        _used = 0;
        if (!OperatingSystem.IsWindows() && !_keepFiles) File.Delete(path); // the mapping keeps the file; nothing is left after the process
    }

    private static Region Map(FileStream stream, string path, long length)
    {
        try
        {
            // The mapping outlives the file's handle: closing it (with the MemoryMappedFile) keeps no descriptor per region.
            using var file = MemoryMappedFile.CreateFromFile(stream, null, length, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
            var view = file.CreateViewAccessor(0, length, MemoryMappedFileAccess.ReadWrite);
            byte* at = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref at); // never released: see the class remarks
            // Single pages, not large folios: the kernel (6.18, ext4 here) gives a file's page cache folios of up to 2 MB,
            // and a punch or a page-out that covers part of one leaves all of it mapped (measured: a fifth of the paged-out
            // map entries stayed resident, and freed blocks kept pages). Random access also needs no read-around.
            ReadAtRandom(at + view.PointerOffset, length);
            return new Region(view, at + view.PointerOffset, length, path);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    // A block's size: at least 64 bytes, rounded to its alignment (whole pages from a page up).
    private static long BlockBytes<T>(int count) where T : unmanaged
    {
        var bytes = Math.Max(SnapshotBlocks.Alignment, (long)count * sizeof(T));
        var align = SnapshotBlocks.AlignmentOf(bytes);
        return (bytes + align - 1) & ~(long)(align - 1);
    }

    private static long RoundToPage(long bytes) => (bytes + Environment.SystemPageSize - 1) & ~(long)(Environment.SystemPageSize - 1);

    /// <summary>Advises the kernel that <paramref name="start"/>'s mapping is read at random: single-page folios, no read-around.</summary>
    internal static void ReadAtRandom(byte* start, long bytes)
    {
        if (OperatingSystem.IsLinux()) _ = madvise(start, (nuint)bytes, MadvRandom);
    }

    // The whole pages inside [start, start + bytes): their memory and their disk blocks go back to the system, and they
    // read as zeros if touched again. Best effort: where the call is missing (not Linux) the pages just stay.
    private static void Punch(byte* start, long bytes)
    {
        if (OperatingSystem.IsLinux()) Advise(start, bytes, MadvRemove);
    }

    private static void Advise(byte* start, long bytes, int advice)
    {
        var page = Environment.SystemPageSize;
        var from = ((long)start + page - 1) & ~(long)(page - 1);
        var to = ((long)start + bytes) & ~(long)(page - 1);
        if (to <= from) return;
        _ = madvise((void*)from, (nuint)(to - from), advice);
    }

    private const int MsSync = 4;

    [DllImport("libc", SetLastError = true)]
    private static extern int msync(void* address, nuint length, int flags);

    private const int MadvRemove = 9;
    private const int MadvRandom = 1;
    private const int MadvPageout = 21;

    [DllImport("libc", SetLastError = true)]
    private static extern int madvise(void* address, nuint length, int advice);


    // The view is kept so that the mapping is never finalised away.
    private sealed class Region(MemoryMappedViewAccessor view, byte* start, long length, string path)
    {
        public MemoryMappedViewAccessor View { get; } = view;
        public byte* Base { get; } = start;
        public long Length { get; } = length;
        public string Path { get; } = path;
    }
}
