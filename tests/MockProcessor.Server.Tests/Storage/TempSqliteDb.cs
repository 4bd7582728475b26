using System.Globalization;
using Microsoft.Data.Sqlite;

namespace MockProcessor.Server.Tests.Storage;

/// <summary>
/// A database file of one test in the temp directory (a fresh name, or a copy of a fixture), SQL straight against it,
/// and its removal with the WAL, shared-memory file and files directory the emulator leaves beside it.
/// </summary>
internal sealed class TempSqliteDb : IDisposable
{
    public string Path { get; }

    public TempSqliteDb(string name, string? copyOf = null)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"mockprocessor-{name}-{Guid.NewGuid():N}.db");
        if (copyOf is not null) File.Copy(copyOf, Path);
    }

    /// <summary>The first column of the first row, as invariant text (read-only connection).</summary>
    public string Scalar(string sql)
    {
        using var conn = Open("Mode=ReadOnly;");
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToString(cmd.ExecuteScalar(), CultureInfo.InvariantCulture)!;
    }

    /// <summary>Each row's columns, as the reader gives them (read-only connection).</summary>
    public List<object[]> Rows(string sql)
    {
        using var conn = Open("Mode=ReadOnly;");
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        using var r = cmd.ExecuteReader();
        var rows = new List<object[]>();
        while (r.Read())
        {
            var row = new object[r.FieldCount];
            r.GetValues(row);
            rows.Add(row);
        }
        return rows;
    }

    public void Exec(string sql, params (string Name, object Value)[] args)
    {
        using var conn = Open("");
        using var cmd = conn.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value);
        cmd.ExecuteNonQuery();
    }

    private SqliteConnection Open(string mode)
    {
        var conn = new SqliteConnection($"Data Source={Path};{mode}Pooling=False");
        conn.Open();
        return conn;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var f in new[] { Path, Path + "-wal", Path + "-shm", Path + ".index", Path + ".index.tmp" }) File.Delete(f);
        // The index pages' files a clean stop's snapshot refers to (docs/storage.md, "The snapshot refers to the pages").
        foreach (var f in Directory.GetFiles(System.IO.Path.GetDirectoryName(Path)!, System.IO.Path.GetFileName(Path) + ".pages.*")) File.Delete(f);
        if (Directory.Exists(Path + ".files")) Directory.Delete(Path + ".files", true);
    }
}
