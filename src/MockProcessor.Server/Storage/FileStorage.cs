using MockProcessor.Server.Hosting;

namespace MockProcessor.Server.Storage;

/// <summary>
/// The contents of <c>file_…</c> objects, one disk file per id (docs/reports.md): beside the database
/// (<c>&lt;database&gt;.files/</c>) when the store is durable, so they survive a restart with it; in a temporary
/// directory deleted at shutdown with <c>--in-memory</c>. Contents are written under a temporary name and
/// renamed into place before the file object is committed, so a committed object always has its bytes.
/// </summary>
public sealed class FileStorage : IDisposable
{
    private readonly bool _temporary;

    public FileStorage(MockProcessorOptions options)
    {
        _temporary = options.InMemory;
        Directory = options.InMemory
            ? Path.Combine(Path.GetTempPath(), "mockprocessor-files-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8])
            : PostgresStore.ConnectionString(options.Database) is not null
                ? Path.GetFullPath("mockprocessor.files") // PostgreSQL: in the working directory (docs/deploy.md: replicas need it shared)
                : Path.GetFullPath(options.Database) + ".files";
        System.IO.Directory.CreateDirectory(Directory);
        // Leftovers of a write cut short by a crash: never committed, so nobody refers to them.
        foreach (var tmp in System.IO.Directory.EnumerateFiles(Directory, "*.tmp")) File.Delete(tmp);
    }

    public string Directory { get; }

    private string PathOf(string fileId) =>
        fileId.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_')
            ? Path.Combine(Directory, fileId)
            : throw new ArgumentException("Not a file id.", nameof(fileId));

    /// <summary>A stream to write <paramref name="fileId"/>'s contents to; <see cref="Publish"/> makes them visible.</summary>
    public FileStream Create(string fileId) =>
        new(PathOf(fileId) + ".tmp", FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);

    public void Publish(string fileId) => File.Move(PathOf(fileId) + ".tmp", PathOf(fileId), overwrite: true);

    public void Discard(string fileId)
    {
        var tmp = PathOf(fileId) + ".tmp";
        if (File.Exists(tmp)) File.Delete(tmp);
    }

    public string? Find(string fileId) => File.Exists(PathOf(fileId)) ? PathOf(fileId) : null;

    public void Dispose()
    {
        if (!_temporary) return;
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { /* a download still open: the OS temp cleaner will have it */ }
    }
}
