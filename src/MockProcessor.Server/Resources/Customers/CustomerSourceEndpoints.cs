using MockProcessor.Server.Storage;
using System.Text.Json.Nodes;
using MockProcessor.Domain.CardNetwork;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Customers;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Tokens;
using MockProcessor.Server.Resources.PaymentMethods;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Customers;

/// <summary>
/// A customer's saved cards, the card-era API older integrations still run on: <c>/v1/customers/:id/sources</c>
/// (and its older alias <c>/cards</c>), plus what customer create/update and legacy charges need of them.
/// Only cards are emulated: no bank accounts, no <c>src_</c> Sources.
/// </summary>
public static class CustomerSourceEndpoints
{
    public static readonly SecondaryIndex<CardSource> ByCustomer = new("card", "customer", card => card.Deleted ? null : card.Customer);

    public const string CreatedEvent = "customer.source.created";
    public const string UpdatedEvent = "customer.source.updated";
    public const string DeletedEvent = "customer.source.deleted";

    public static IEnumerable<ApiRoute> Routes() =>
        new[] { "sources", "cards" }.SelectMany(segment => new ApiRoute[]
        {
            new("POST", $"/v1/customers/{{id}}/{segment}", "card", Create) { Params = "card metadata source" },
            new("GET", $"/v1/customers/{{id}}/{segment}", "list:card", c => List(c, segment))
                { Params = "created ending_before limit object starting_after" },
            new("GET", $"/v1/customers/{{id}}/{segment}/{{source}}", "card", Retrieve) { Params = "" },
            new("POST", $"/v1/customers/{{id}}/{segment}/{{source}}", "card", Update)
                { Params = "address_city address_country address_line1 address_line2 address_state address_zip exp_month exp_year metadata name" },
            new("DELETE", $"/v1/customers/{{id}}/{segment}/{{source}}", "card", Delete) { Params = "" },
        });

    private static ApiResult Create(ApiContext c)
    {
        var p = c.P;
        var customer = CustomerEndpoints.LoadLive(c, c.Route("id"));
        // `card` is the older name of the same parameter (Stripe's spec lists both).
        var param = p.Has("source") || !p.Has("card") ? "source" : "card";
        if (!p.Has(param)) throw new StripeException(StripeError.ParameterMissing("source"), beforeExecution: true);
        var metadata = p.Metadata(Metadata.Empty);
        var card = NewCard(c, p, param);
        if (metadata.Count > 0) card = card with { Metadata = metadata };
        var attached = Attach(c, customer, card);
        var after = CardSourceRules.AfterAdding(customer, attached);
        c.Change(customer, after, "customer.updated");
        return c.Respond(attached);
    }

    /// <summary>
    /// The unsaved card a <c>source</c> parameter describes: a token (<c>tok_visa</c> or a created <c>tok_</c>,
    /// used up as Stripe uses it; the card keeps the token's card id) or, as Stripe accepted, a hash of raw card
    /// details (<c>source[object]=card&amp;source[number]=...</c>), read by <see cref="CardForm"/> and not kept.
    /// </summary>
    internal static CardSource NewCard(ApiContext c, Params p, string param)
    {
        if (p.IsHash(param))
        {
            var h = p.Object(param)!;
            if (h.String("object") is { } obj && obj != "card")
                throw new StripeException(StripeError.InvalidValue($"{param}[object]",
                    $"Invalid {param}[object]: MockProcessor saves cards only (object=card), not '{obj}'."), beforeExecution: true);
            var name = h.String("name");
            var address = new Address(h.String("address_line1"), h.String("address_line2"), h.String("address_city"),
                h.String("address_state"), h.String("address_zip"), h.String("address_country"));
            var metadata = h.Metadata(Metadata.Empty);
            h.Accept("currency");
            var details = CardForm.Read(h, c.Now, postalSupplied: address.PostalCode is not null, line1Supplied: address.Line1 is not null);
            return new CardSource
            {
                Id = c.Ids.Next("card"), AccountId = c.Account.Id, Created = c.Now, Details = details, Name = name,
                Address = address.NullIfEmpty(),
                Metadata = metadata,
            };
        }
        var id = p.RequiredString(param);
        if (TestCardCatalogue.Default.ByTokenAlias(id) is { } test)
            return new CardSource
            {
                Id = c.Ids.Next("card"), AccountId = c.Account.Id, Created = c.Now, Details = CardForm.FromAlias(test, id, c.Now),
            };
        var token = c.Tx.Get<Token>(id) ?? throw new StripeException(StripeError.ResourceMissing("token", id, param));
        if (token.Used) throw new StripeException(StripeError.TokenAlreadyUsed(id));
        c.Tx.Put(token with { Used = true });
        return new CardSource
        {
            Id = token.CardId, AccountId = c.Account.Id, Created = c.Now, Details = token.Card, Name = token.CardName,
        };
    }

    /// <summary>
    /// Saves a new card to a customer and announces it. A card the issuer declines is refused with the decline
    /// (402), thrown so that nothing of the call is kept: no customer half-created, no token used up.
    /// </summary>
    internal static CardSource Attach(ApiContext c, Customer customer, CardSource card)
    {
        var test = c.Service<TestCards>().Resolve(card.Details.TestCardKey);
        var attached = CardSourceRules.Attach(card, customer.Id, test).OrThrow();
        c.Tx.Put(attached);
        c.Emit(CreatedEvent, attached);
        return attached;
    }

    /// <summary>Deletes a saved card (it stays stored for the charges that copied it) and announces it.</summary>
    internal static void Remove(ApiContext c, CardSource card)
    {
        c.Tx.Put(card with { Deleted = true });
        c.Emit(DeletedEvent, card);
    }

    /// <summary>One of the customer's live cards, or Stripe's 404 naming <paramref name="param"/>.</summary>
    internal static CardSource LoadCard(ApiContext c, Customer customer, string id, string param = "id") =>
        c.Tx.Get<CardSource>(id) is { Deleted: false } card && card.Customer == customer.Id
            ? card
            : throw new StripeException(StripeError.ResourceMissing("source", id, param));

    /// <summary>The customer's live cards, most recently added first.</summary>
    internal static IEnumerable<CardSource> CardsOf(Storage.Tx tx, string customerId) =>
        tx.Find(ByCustomer, customerId);

    private static ApiResult Retrieve(ApiContext c)
    {
        var customer = CustomerEndpoints.LoadLive(c, c.Route("id"));
        return c.Respond(LoadCard(c, customer, c.Route("source")));
    }

    private static ApiResult Update(ApiContext c)
    {
        var p = c.P;
        var customer = CustomerEndpoints.LoadLive(c, c.Route("id"));
        var before = LoadCard(c, customer, c.Route("source"));
        var after = CardSourceRules.UpdateExpiry(before, p.Long("exp_month"), p.Long("exp_year"), c.Now).OrThrow();
        after = after with { Metadata = p.Metadata(before.Metadata) };
        if (p.StringPatch("name") is { IsSet: true } name) after = after with { Name = name.Value };
        var a = before.Address ?? Address.Empty;
        a = a with
        {
            Line1 = Patched(p.StringPatch("address_line1"), a.Line1),
            Line2 = Patched(p.StringPatch("address_line2"), a.Line2),
            City = Patched(p.StringPatch("address_city"), a.City),
            State = Patched(p.StringPatch("address_state"), a.State),
            PostalCode = Patched(p.StringPatch("address_zip"), a.PostalCode),
            Country = Patched(p.StringPatch("address_country"), a.Country),
        };
        after = after with { Address = a.NullIfEmpty() };
        return c.Update(before, after, UpdatedEvent);
    }

    private static string? Patched(Patch<string> patch, string? current) => patch.IsSet ? patch.Value : current;

    private static ApiResult Delete(ApiContext c)
    {
        var customer = CustomerEndpoints.LoadLive(c, c.Route("id"));
        var card = LoadCard(c, customer, c.Route("source"));
        Remove(c, card);
        var after = CardSourceRules.AfterDeleting(customer, card, CardsOf(c.Tx, customer.Id));
        c.Change(customer, after, "customer.updated");
        return CardJson.Deleted(card.Id);
    }

    private static ApiResult List(ApiContext c, string segment)
    {
        var customer = CustomerEndpoints.LoadLive(c, c.Route("id"));
        var lp = ListParams.Read(c.P);
        // Stripe's filter by kind of source (card, bank_account, source...): only cards exist here.
        var kind = c.P.String("object");
        var (page, more) = Lists.Page(CardsOf(c.Tx, customer.Id), lp, _ => kind is null or "card", "source");
        return Lists.Render(page, more, $"/v1/customers/{customer.Id}/{segment}", c.Render, c.Expand);
    }
}
