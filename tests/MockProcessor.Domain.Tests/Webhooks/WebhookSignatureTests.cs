using System.Text;
using MockProcessor.Domain.Webhooks;

namespace MockProcessor.Domain.Tests.Webhooks;

public class WebhookSignatureTests
{
    [Fact]
    public void Matches_a_vector_computed_outside_dotnet()
    {
        // python3: hmac.new(b'whsec_test_secret', b'1700000000.{"id":"evt_1"}', hashlib.sha256).hexdigest()
        var header = WebhookSignature.Header("whsec_test_secret", 1_700_000_000, Encoding.UTF8.GetBytes("{\"id\":\"evt_1\"}"));
        Assert.Equal("t=1700000000,v1=248a374f50f943a28b0f6ab50faf9a7e7e29b710fa26df9fb1618b9bf8ea9c9a", header);
    }

    [Fact]
    public void The_key_is_the_whole_secret_string_and_the_timestamp_is_signed()
    {
        var body = Encoding.UTF8.GetBytes("{}");
        var a = WebhookSignature.Compute("whsec_abc", 1, body);
        Assert.NotEqual(a, WebhookSignature.Compute("abc", 1, body));
        Assert.NotEqual(a, WebhookSignature.Compute("whsec_abc", 2, body));
        Assert.Matches("^[0-9a-f]{64}$", a);
    }
}
