using System.Text;
using MockProcessor.Domain.Search;

namespace MockProcessor.Domain.Tests.Search;

public class ParseSearchQueryFuzzTests
{
    // Fragments that sit on the parser's edges: quotes, escapes, brackets, operators, keywords.
    private static readonly string[] Pieces =
    [
        "email", "name", "created", "currency", "metadata", "colour", "payment_method_details.card.last4",
        ":", "~", "=", ">", "<", ">=", "<=", "\"", "'", "\\", "\\\"", "\\'", "[", "]", "(", ")", "-",
        " ", "  ", "\t", "AND", "or", "And", "null", "NULL", "123", "-5", "1.5", "99999999999999999999",
        "\"usd\"", "'amy'", "[\"k\"]", "['k']", "x", "é", "\0", "\n",
    ];

    private static readonly string[] Clauses =
    [
        "email:\"a@b.c\"", "name~'ros'", "created>=1700000000", "-currency:\"usd\"", "metadata['k']:'v'",
        "metadata[\"k\"]:null", "amount<5", "phone:null", "name:\"it\\\"s\"", "payment_method_details.card.last4:4242",
    ];

    private static readonly string[] Joins = [" ", " AND ", " and ", " OR ", "  "];

    // Half the inputs are valid clause sequences with a few random edits, so both paths get exercised.
    private static string RandomQuery(Random random)
    {
        var sb = new StringBuilder();
        if (random.Next(2) == 0)
        {
            var count = random.Next(1, 5);
            for (var j = 0; j < count; j++)
                sb.Append(j == 0 ? "" : Joins[random.Next(Joins.Length)]).Append(Clauses[random.Next(Clauses.Length)]);
            for (var edits = random.Next(0, 3); edits > 0 && sb.Length > 0; edits--)
            {
                var at = random.Next(sb.Length);
                if (random.Next(2) == 0) sb.Remove(at, 1);
                else sb.Insert(at, Pieces[random.Next(Pieces.Length)]);
            }
            // Cutting a query short leaves it mid-quote, mid-escape or mid-operator.
            return random.Next(3) == 0 ? sb.ToString(0, random.Next(sb.Length + 1)) : sb.ToString();
        }
        for (var j = random.Next(0, 12); j > 0; j--)
            sb.Append(random.Next(4) == 0 ? (char)random.Next(32, 127) : Pieces[random.Next(Pieces.Length)]);
        return sb.ToString();
    }

    [Fact]
    public void Parse_never_throws_on_random_input()
    {
        var random = new Random(20240601);
        var doc = FakeSearchDocument.Jenny();
        int parsed = 0, rejected = 0;
        for (var i = 0; i < 5000; i++)
        {
            var query = RandomQuery(random);

            var outcome = SearchQuery.Parse(query, TestSchema.Instance);
            if (outcome.IsError)
            {
                rejected++;
                Assert.Equal("query", outcome.Error!.Param);
                Assert.False(string.IsNullOrWhiteSpace(outcome.Error.Message));
                continue;
            }
            parsed++;
            outcome.Value.Matches(doc);
            // The canonical form must mean the same query.
            var again = SearchQuery.Parse(outcome.Value.ToString(), TestSchema.Instance);
            Assert.False(again.IsError, $"canonical form of '{query}' failed: {again.Error?.Message}");
            Assert.Equal(outcome.Value.ToString(), again.Value.ToString());
        }
        // Guard against a generator that only ever produces garbage (or a parser that accepts it all).
        Assert.True(parsed > 50, $"only {parsed} random queries parsed");
        Assert.True(rejected > 50, $"only {rejected} random queries were rejected");
    }
}
