using System.Security.Cryptography;

namespace MockProcessor.Domain.Ids;

/// <summary>
/// The one source of object ids. Stripe ids are a prefix plus base62 characters (24 for most objects,
/// 16 for accounts). With a seed the sequence is a pure function of the seed and the order of calls,
/// so the same scenario run twice yields the same ids; without one it is seeded from the OS.
/// </summary>
public sealed class IdGenerator
{
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private readonly Lock _gate = new();
    private ulong _state;

    public IdGenerator(long? seed = null)
    {
        _state = seed.HasValue ? (ulong)seed.Value : BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
        Seeded = seed.HasValue;
    }

    public bool Seeded { get; }

    // Replica mode (docs/deploy.md): the replica's number in the first two characters of every id's random part, so ids
    // minted by different replicas never collide; 0 (unstamped) otherwise.
    private int _replica;

    /// <summary>Stamps this replica's number (1..3843) into the first two characters of the ids <see cref="Next"/> makes.</summary>
    public void StampReplica(int number)
    {
        if (number is < 1 or >= 62 * 62) throw new ArgumentOutOfRangeException(nameof(number), "A replica number is 1..3843.");
        _replica = number;
    }

    /// <summary>prefix + "_" + <paramref name="length"/> base62 characters, e.g. <c>Next("cus")</c>.</summary>
    public string Next(string prefix, int length = 24)
    {
        Span<char> buf = stackalloc char[prefix.Length + 1 + length];
        prefix.AsSpan().CopyTo(buf);
        buf[prefix.Length] = '_';
        Fill(buf[(prefix.Length + 1)..]);
        if (_replica > 0 && length > 2)
        {
            buf[prefix.Length + 1] = Alphabet[_replica / 62];
            buf[prefix.Length + 2] = Alphabet[_replica % 62];
        }
        return new string(buf);
    }

    /// <summary>
    /// A seed for a generator of its own (<c>new IdGenerator(seed)</c>), drawn from this one's sequence: work that
    /// finishes at an unpredictable moment (a background report run) takes its ids from it, so the ids of everything
    /// else stay a function of the seed and the order of calls.
    /// </summary>
    public long NextSeed()
    {
        lock (_gate) return (long)NextUInt64();
    }

    /// <summary>Random base62 characters with no prefix (client secrets, fingerprints, key suffixes).</summary>
    public string Chars(int length)
    {
        Span<char> buf = stackalloc char[length];
        Fill(buf);
        return new string(buf);
    }

    private void Fill(Span<char> dest)
    {
        lock (_gate)
        {
            for (var i = 0; i < dest.Length; i++)
                dest[i] = Alphabet[(int)(NextUInt64() % 62)];
        }
    }

    // SplitMix64: tiny, fast, and its output depends only on the seed and the call count.
    private ulong NextUInt64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
