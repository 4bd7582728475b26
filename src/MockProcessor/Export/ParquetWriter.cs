using System.Buffers.Binary;
using System.Text;

namespace MockProcessor.Export;

public enum ParquetType { Boolean = 0, Int64 = 2, ByteArray = 6 }

/// <summary>A column: name, physical type (BYTE_ARRAY columns are UTF-8 strings) and whether it may be null.</summary>
public sealed record ParquetColumn(string Name, ParquetType Type, bool Optional = false);

/// <summary>
/// A minimal Parquet writer (Parquet.Net is absent here; docs/reports.md): one row group, one v1 data page per
/// column, PLAIN values, no compression, definition levels in the RLE/bit-packed hybrid (RLE runs) for optional
/// columns, file metadata in Thrift's compact protocol. Rows are buffered per file (a day's partition) and written
/// by <see cref="Write"/>. Values: <c>long</c>, <c>bool</c>, <c>string</c> or null.
/// </summary>
public sealed class ParquetWriter(IReadOnlyList<ParquetColumn> columns)
{
    private readonly List<object?[]> _rows = [];

    public int Count => _rows.Count;

    public void Add(params object?[] row)
    {
        if (row.Length != columns.Count) throw new ArgumentException($"Expected {columns.Count} values, got {row.Length}.");
        for (var i = 0; i < row.Length; i++)
        {
            var c = columns[i];
            var ok = row[i] switch
            {
                null => c.Optional,
                long => c.Type == ParquetType.Int64,
                bool => c.Type == ParquetType.Boolean,
                string => c.Type == ParquetType.ByteArray,
                _ => false,
            };
            if (!ok) throw new ArgumentException($"Column {c.Name} ({c.Type}{(c.Optional ? ", optional" : "")}) cannot hold {row[i]?.GetType().Name ?? "null"}.");
        }
        _rows.Add(row);
    }

    public void Write(Stream output)
    {
        var magic = "PAR1"u8.ToArray();
        var position = 0L;
        void Put(ReadOnlySpan<byte> bytes) { output.Write(bytes); position += bytes.Length; }
        Put(magic);
        var chunks = new List<(long Offset, long Size, int Column)>();
        for (var c = 0; c < columns.Count; c++)
        {
            var page = Page(c);
            var header = new MemoryStream();
            var t = new ThriftCompact(header);
            t.I32Field(1, 0);                    // type: DATA_PAGE
            t.I32Field(2, page.Length);          // uncompressed_page_size
            t.I32Field(3, page.Length);          // compressed_page_size
            t.BeginStruct(5);                    // data_page_header
            t.I32Field(1, _rows.Count);          // num_values (nulls included)
            t.I32Field(2, 0);                    // encoding: PLAIN
            t.I32Field(3, 3);                    // definition_level_encoding: RLE
            t.I32Field(4, 3);                    // repetition_level_encoding: RLE
            t.EndStruct();
            t.End();
            var offset = position;
            Put(header.ToArray());
            Put(page);
            chunks.Add((offset, position - offset, c));
        }

        var meta = new MemoryStream();
        var m = new ThriftCompact(meta);
        m.I32Field(1, 1);                                    // version
        m.StructListHeader(2, columns.Count + 1);            // schema
        m.BeginElement();
        m.StringField(4, "schema");
        m.I32Field(5, columns.Count);                        // num_children
        m.EndStruct();
        foreach (var col in columns)
        {
            m.BeginElement();
            m.I32Field(1, (int)col.Type);
            m.I32Field(3, col.Optional ? 1 : 0);            // repetition_type: OPTIONAL / REQUIRED
            m.StringField(4, col.Name);
            if (col.Type == ParquetType.ByteArray) m.I32Field(6, 0); // converted_type: UTF8
            m.EndStruct();
        }
        m.I64Field(3, _rows.Count);                          // num_rows
        m.StructListHeader(4, 1);                            // row_groups
        m.BeginElement();
        m.StructListHeader(1, columns.Count);                // columns
        foreach (var (offset, size, c) in chunks)
        {
            m.BeginElement();
            m.I64Field(2, offset);                           // file_offset
            m.BeginStruct(3);                                // meta_data
            m.I32Field(1, (int)columns[c].Type);
            m.I32List(2, columns[c].Optional ? [0, 3] : [0]); // encodings: PLAIN (+ RLE levels)
            m.StringList(3, [columns[c].Name]);              // path_in_schema
            m.I32Field(4, 0);                                // codec: UNCOMPRESSED
            m.I64Field(5, _rows.Count);                      // num_values
            m.I64Field(6, size);                             // total_uncompressed_size
            m.I64Field(7, size);                             // total_compressed_size
            m.I64Field(9, offset);                           // data_page_offset
            m.EndStruct();
            m.EndStruct();
        }
        m.I64Field(2, chunks.Sum(x => x.Size));              // total_byte_size
        m.I64Field(3, _rows.Count);                          // num_rows
        m.EndStruct();
        m.StringField(6, "mockprocessor export");            // created_by
        m.End();

        var metaBytes = meta.ToArray();
        Put(metaBytes);
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(len, metaBytes.Length);
        Put(len);
        Put(magic);
    }

    private byte[] Page(int c)
    {
        var col = columns[c];
        var page = new MemoryStream();
        if (col.Optional) DefinitionLevels(page, c);
        Span<byte> eight = stackalloc byte[8];
        switch (col.Type)
        {
            case ParquetType.Int64:
                foreach (var row in _rows)
                    if (row[c] is long v) { BinaryPrimitives.WriteInt64LittleEndian(eight, v); page.Write(eight); }
                break;
            case ParquetType.ByteArray:
                foreach (var row in _rows)
                    if (row[c] is string s)
                    {
                        var bytes = Encoding.UTF8.GetBytes(s);
                        BinaryPrimitives.WriteInt32LittleEndian(eight, bytes.Length);
                        page.Write(eight[..4]);
                        page.Write(bytes);
                    }
                break;
            case ParquetType.Boolean:
                // PLAIN booleans: bit-packed, least significant bit first.
                byte current = 0;
                var bit = 0;
                foreach (var row in _rows)
                {
                    if (row[c] is not bool b) continue;
                    if (b) current |= (byte)(1 << bit);
                    if (++bit == 8) { page.WriteByte(current); current = 0; bit = 0; }
                }
                if (bit > 0) page.WriteByte(current);
                break;
        }
        return page.ToArray();
    }

    /// <summary>Definition levels (bit width 1) as RLE runs, prefixed by their byte length (data page v1).</summary>
    private void DefinitionLevels(MemoryStream page, int c)
    {
        var runs = new MemoryStream();
        var i = 0;
        while (i < _rows.Count)
        {
            var defined = _rows[i][c] is not null;
            var j = i;
            while (j < _rows.Count && (_rows[j][c] is not null) == defined) j++;
            var header = (ulong)(j - i) << 1;                // RLE run: (count << 1) | 0
            while (header >= 0x80) { runs.WriteByte((byte)(header | 0x80)); header >>= 7; }
            runs.WriteByte((byte)header);
            runs.WriteByte(defined ? (byte)1 : (byte)0);
            i = j;
        }
        Span<byte> len = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(len, (int)runs.Length);
        page.Write(len);
        runs.WriteTo(page);
    }
}
