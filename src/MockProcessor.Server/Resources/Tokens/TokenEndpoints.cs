using MockProcessor.Domain.CardNetwork;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Tokens;
using MockProcessor.Server.Resources.PaymentMethods;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Tokens;

public static class TokenEndpoints
{
    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("POST", "/v1/tokens", "token", Create, AllowPublishable: true) { Params = "card customer" },
        new("GET", "/v1/tokens/{id}", "token", Retrieve) { Params = "" },
    ];

    private static ApiResult Create(ApiContext c)
    {
        var p = c.P;
        foreach (var unsupported in new[] { "bank_account", "pii", "account", "person", "cvc_update" })
            if (p.Has(unsupported))
                throw new StripeException(StripeError.InvalidValue(unsupported,
                    $"MockProcessor creates card tokens only; '{unsupported}' tokens are not emulated yet."), beforeExecution: true);
        p.Accept("customer");
        var cardParams = p.Object("card") ?? throw new StripeException(StripeError.ParameterMissing("card"), beforeExecution: true);
        var name = cardParams.String("name");
        var postal = cardParams.String("address_zip");
        var line1 = cardParams.String("address_line1");
        foreach (var k in new[] { "address_city", "address_country", "address_line2", "address_state", "currency" }) cardParams.Accept(k);
        var card = CardForm.Read(cardParams, c.Now, postalSupplied: postal is not null, line1Supplied: line1 is not null);
        var token = new Token
        {
            Id = c.Ids.Next("tok"), AccountId = c.Account.Id, Created = c.Now, CardId = c.Ids.Next("card"),
            Card = card, CardName = name, ClientIp = c.ClientIp,
        };
        c.Tx.Put(token);
        return c.Respond(token);
    }

    /// <summary>A catalogue token id (<c>tok_visa</c>) retrieves a fresh token for that test card.</summary>
    private static ApiResult Retrieve(ApiContext c)
    {
        var id = c.Route("id");
        if (TestCardCatalogue.Default.ByTokenAlias(id) is { } test)
        {
            var token = new Token
            {
                Id = c.Ids.Next("tok"), AccountId = c.Account.Id, Created = c.Now, CardId = c.Ids.Next("card"),
                Card = CardForm.FromAlias(test, id, c.Now),
            };
            c.Tx.Put(token);
            return c.Respond(token);
        }
        return c.Respond(c.Load<Token>(id, "token"));
    }
}
