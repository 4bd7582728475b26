using MockProcessor.Server.Storage;
using MockProcessor.Domain.Charges;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Disputes;
using MockProcessor.Domain.Errors;
using MockProcessor.Server.Resources.Shared;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.Disputes;

/// <summary>
/// Disputes (§15): list, retrieve, update (evidence, metadata, submit) and close. They are opened by the
/// dispute test cards (Changes.Apply) or by the control API (<c>POST /_mock/disputes</c>); see docs/disputes.md.
/// </summary>
public static class DisputeEndpoints
{
    public static readonly SecondaryIndex<Dispute> ByCharge = new("dispute", "charge", d => d.Charge);
    public static readonly SecondaryIndex<Dispute> ByPaymentIntent = new("dispute", "payment_intent", d => d.PaymentIntent);

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("GET", "/v1/disputes", "list:dispute", List) { Params = "charge created ending_before limit payment_intent starting_after" },
        new("GET", "/v1/disputes/{id}", "dispute", Retrieve) { Params = "" },
        new("POST", "/v1/disputes/{id}", "dispute", Update) { Params = "evidence metadata submit" },
        new("POST", "/v1/disputes/{id}/close", "dispute", Close) { Params = "" },
    ];

    private static ApiResult List(ApiContext c)
    {
        var lp = ListParams.Read(c.P);
        var charge = c.P.String("charge");
        var pi = c.P.String("payment_intent");
        var source = charge is not null ? c.Tx.Find(ByCharge, charge) : c.Tx.FindOrAll(ByPaymentIntent, pi);
        var (page, more) = Lists.Page(source, lp,
            d => (charge is null || d.Charge == charge) && (pi is null || d.PaymentIntent == pi), "dispute");
        return Lists.Render(page, more, "/v1/disputes", c.Render, c.Expand);
    }

    private static ApiResult Retrieve(ApiContext c) => c.Respond(c.Load<Dispute>(c.Route("id"), "dispute"));

    private static ApiResult Update(ApiContext c)
    {
        var p = c.P;
        var before = c.Load<Dispute>(c.Route("id"), "dispute");
        var evidence = ReadEvidence(p);
        var submitParam = p.Bool("submit");
        var after = before with { Metadata = p.Metadata(before.Metadata) };

        // Deviation: submit defaults to true as in Stripe, but a call that sends neither evidence nor submit
        // (a metadata-only update) does not submit: it would otherwise close a test dispute by accident.
        if (evidence is null && submitParam is null) return c.Update(before, after, Domain.Events.EventTypes.ChargeDisputeUpdated);

        var charge = c.Load<Charge>(before.Charge, "charge", "charge");
        var change = DisputeRules.Update(after, charge, evidence, submitParam ?? true, c.Now, c.Ids).OrThrow();
        Changes.Apply(c, change, before);
        return c.Respond(change.Dispute);
    }

    private static ApiResult Close(ApiContext c)
    {
        var before = c.Load<Dispute>(c.Route("id"), "dispute");
        var change = DisputeRules.Close(before).OrThrow();
        Changes.Apply(c, change, before);
        return c.Respond(change.Dispute);
    }

    // evidence[field]=value for Stripe's string and file-id fields; an empty value removes the field. Any other
    // key is left unread and becomes parameter_unknown (evidence[enhanced_evidence] included: not emulated).
    private static Dictionary<string, string>? ReadEvidence(Params p)
    {
        if (!p.Has("evidence")) { p.Accept("evidence"); return null; }
        if (p.IsEmpty("evidence")) { p.Accept("evidence"); return []; }
        var ev = p.Object("evidence");
        if (ev is null) return null;
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in DisputeRules.EvidenceFields)
        {
            if (!ev.Has(field)) { ev.Accept(field); continue; }
            map[field] = ev.String(field, 20_000) ?? "";
        }
        return map;
    }
}
