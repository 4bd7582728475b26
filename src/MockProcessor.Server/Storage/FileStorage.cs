using MockProcessor.Server.Hosting;

namespace MockProcessor.Server.Storage;

/// <summary>
/// The contents of <c>file_…</c> objects, one disk file per id (docs/reports.md): beside the database
/// (<c>&lt;database&gt;.files/</c>) when the store is durable, so they survive a restart with it; in a temporary
/// directory deleted at shutdown with <c>--in-memory</c>. Contents are written under a temporary name and
/// renamed into place before the file object is committed, so a committed object always has its bytes.
/// In replica mode (docs/deploy.md "Files") the contents are also stored in the database when published, and a replica
/// that lacks a file's disk copy fetches it from there, so a report made through one replica downloads through another.
/// </summary>
public sealed class FileStorage : IDisposable
{
    private readonly bool _temporary;
    private readonly ObjectStore _store;

    public FileStorage(MockProcessorOptions options, ObjectStore store)
    {
        _store = store;
        _temporary = options.InMemory && options.FilesDirectory is null;
        Directory = options.FilesDirectory is { } chosen
            ? Path.GetFullPath(chosen)
            : options.InMemory
            ? Path.Combine(Path.GetTempPath(), "mockprocessor-files-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8])
            : PostgresStore.ConnectionString(options.Database) is not null
                ? Path.GetFullPath("mockprocessor.files") // PostgreSQL: in the working directory (a replica's copy: docs/deploy.md)
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

    public void Publish(string fileId)
    {
        File.Move(PathOf(fileId) + ".tmp", PathOf(fileId), overwrite: true);
        _store.Replica?.PutFile(fileId, File.ReadAllBytes(PathOf(fileId)));
    }

    public void Discard(string fileId)
    {
        var tmp = PathOf(fileId) + ".tmp";
        if (File.Exists(tmp)) File.Delete(tmp);
    }

    public string? Find(string fileId)
    {
        var path = PathOf(fileId);
        if (File.Exists(path)) return path;
        if (_store.Replica?.GetFile(fileId) is not { } bytes) return null;
        // Published through another replica: kept here as a disk copy (written aside, then renamed into place, so two
        // downloads racing for it each see a whole file).
        var tmp = path + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        File.WriteAllBytes(tmp, bytes);
        File.Move(tmp, path, overwrite: true);
        return path;
    }

    public void Dispose()
    {
        if (!_temporary) return;
        try { System.IO.Directory.Delete(Directory, recursive: true); }
        catch (IOException) { /* a download still open: the OS temp cleaner will have it */ }
    }
}
