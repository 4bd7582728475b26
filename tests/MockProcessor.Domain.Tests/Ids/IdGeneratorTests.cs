using MockProcessor.Domain.Ids;

namespace MockProcessor.Domain.Tests.Ids;

public class IdGeneratorTests
{
    [Theory]
    [InlineData("cus", 14)]
    [InlineData("pi", 24)]
    [InlineData("acct", 16)]
    public void Ids_have_the_prefix_and_length_and_only_base62(string prefix, int length)
    {
        var id = new IdGenerator(1).Next(prefix, length);
        Assert.StartsWith(prefix + "_", id);
        Assert.Equal(prefix.Length + 1 + length, id.Length);
        Assert.All(id[(prefix.Length + 1)..], c => Assert.True(char.IsAsciiLetterOrDigit(c)));
    }

    [Fact]
    public void Same_seed_same_sequence_other_seed_other_sequence()
    {
        string[] Run(long seed)
        {
            var g = new IdGenerator(seed);
            return [g.Next("cus", 14), g.Next("pi"), g.Chars(25)];
        }
        Assert.Equal(Run(7), Run(7));
        Assert.NotEqual(Run(7), Run(8));
    }

    [Fact]
    public void Unseeded_generators_differ_and_ids_do_not_repeat()
    {
        Assert.NotEqual(new IdGenerator().Next("pi"), new IdGenerator().Next("pi"));
        var g = new IdGenerator(3);
        var ids = Enumerable.Range(0, 100_000).Select(_ => g.Next("ch")).ToHashSet();
        Assert.Equal(100_000, ids.Count);
    }
}
