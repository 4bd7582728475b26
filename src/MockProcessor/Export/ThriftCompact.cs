using System.Text;

namespace MockProcessor.Export;

/// <summary>
/// The few pieces of Thrift's compact protocol that Parquet's metadata needs, written by hand (Parquet.Net is not
/// in this machine's NuGet copy): field headers with id deltas, zigzag varints, binaries, lists and structs.
/// </summary>
public sealed class ThriftCompact(Stream output)
{
    private const byte True = 1, False = 2, I32 = 5, I64 = 6, Binary = 8, List = 9, Struct = 12;
    private readonly Stack<short> _lastIds = new();
    private short _lastId;

    private void Byte(byte b) => output.WriteByte(b);

    private void Varint(ulong v)
    {
        while (v >= 0x80) { Byte((byte)(v | 0x80)); v >>= 7; }
        Byte((byte)v);
    }

    private static ulong ZigZag(long v) => (ulong)((v << 1) ^ (v >> 63));

    private void Header(short id, byte type)
    {
        var delta = id - _lastId;
        if (delta is > 0 and <= 15) Byte((byte)((delta << 4) | type));
        else { Byte(type); Varint(ZigZag(id)); }
        _lastId = id;
    }

    public void I32Field(short id, int v) { Header(id, I32); Varint(ZigZag(v)); }
    public void I64Field(short id, long v) { Header(id, I64); Varint(ZigZag(v)); }
    public void BoolField(short id, bool v) => Header(id, v ? True : False);

    public void StringField(short id, string v)
    {
        Header(id, Binary);
        var bytes = Encoding.UTF8.GetBytes(v);
        Varint((ulong)bytes.Length);
        output.Write(bytes);
    }

    public void BeginStruct(short id) { Header(id, Struct); Push(); }

    /// <summary>Starts a struct that is an element of a list (no field header).</summary>
    public void BeginElement() => Push();

    public void EndStruct()
    {
        Byte(0);
        _lastId = _lastIds.Pop();
    }

    private void Push()
    {
        _lastIds.Push(_lastId);
        _lastId = 0;
    }

    public void ListHeader(short id, byte elementType, int size)
    {
        Header(id, List);
        if (size < 15) Byte((byte)((size << 4) | elementType));
        else { Byte((byte)(0xF0 | elementType)); Varint((ulong)size); }
    }

    public void StructListHeader(short id, int size) => ListHeader(id, Struct, size);
    public void I32List(short id, IReadOnlyList<int> values) { ListHeader(id, I32, values.Count); foreach (var v in values) Varint(ZigZag(v)); }

    public void StringList(short id, IReadOnlyList<string> values)
    {
        ListHeader(id, Binary, values.Count);
        foreach (var v in values)
        {
            var bytes = Encoding.UTF8.GetBytes(v);
            Varint((ulong)bytes.Length);
            output.Write(bytes);
        }
    }

    /// <summary>The end of the top-level struct.</summary>
    public void End() => Byte(0);
}
