using System.Text.Json.Nodes;
using MockProcessor.Domain.Reconciliation;

namespace MockProcessor.Commands;

/// <summary>
/// The processor's side of a reconciliation read through the public API, as a merchant's own job would: the
/// period's charges, the disputes, the payouts and, for each automatic payout, <c>GET /v1/balance_transactions?payout=</c>.
/// </summary>
public static class ApiFeed
{
    public static async Task FeedAsync(EmulatorClient api, Reconciler r, long from, long to, CancellationToken ct)
    {
        await foreach (var c in PagesAsync(api, $"/v1/charges?created[gte]={from}&created[lt]={to}", ct)) r.AddCharge(Charge(c));
        await foreach (var d in PagesAsync(api, "/v1/disputes?", ct))
            r.SetDispute((string)d["charge"]!, PaymentStates.DisputeCounts((string)d["status"]!));
        List<JsonObject> payouts = [];
        try
        {
            await foreach (var p in PagesAsync(api, "/v1/payouts?", ct)) payouts.Add(p);
        }
        catch (EmulatorException ex) when (ex.Status == 404) { /* an emulator without payouts: nothing was paid out */ }
        foreach (var p in payouts)
        {
            var facts = new PayoutFacts((string)p["id"]!, (long)p["amount"]!, (string)p["currency"]!, (long)p["arrival_date"]!,
                (bool)p["automatic"]!, (string)p["status"]!, p["balance_transaction"] is JsonValue v ? (string)v! : (string?)p["balance_transaction"]?["id"]);
            r.AddPayout(facts);
            if (!facts.Automatic || facts.ArrivalDate < from || facts.ArrivalDate >= to) continue;
            await foreach (var t in PagesAsync(api, $"/v1/balance_transactions?payout={facts.Id}", ct))
                r.AddTransaction(new TransactionFacts((string)t["id"]!, (string)t["reporting_category"]!, (long)t["amount"]!, (long)t["fee"]!,
                    (string)t["currency"]!, facts.Id));
        }
    }

    /// <summary>Orders whose payment is outside the fetched period: retrieved one by one (charge, or PaymentIntent's latest charge).</summary>
    public static async Task<Dictionary<string, ChargeFacts>> LookUpAsync(EmulatorClient api, IEnumerable<BookOrder> orders, CancellationToken ct)
    {
        var found = new Dictionary<string, ChargeFacts>(StringComparer.Ordinal);
        foreach (var o in orders)
        {
            try
            {
                var chargeId = o.Charge;
                if (chargeId is null && o.PaymentIntent is { } pi)
                    chargeId = (string?)(await api.GetAsync($"/v1/payment_intents/{Uri.EscapeDataString(pi)}", ct))["latest_charge"];
                if (chargeId is null) continue;
                found[o.OrderId] = Charge(await api.GetAsync($"/v1/charges/{Uri.EscapeDataString(chargeId)}", ct));
            }
            catch (EmulatorException ex) when (ex.Status is 404 or 400) { /* the processor has no such payment */ }
        }
        return found;
    }

    public static ChargeFacts Charge(JsonObject c)
    {
        var captured = (bool)c["captured"]!;
        var amountCaptured = (long)c["amount_captured"]!;
        var refunded = (long)c["amount_refunded"]!;
        return new ChargeFacts((string)c["id"]!, (string?)c["payment_intent"], (long)c["created"]!,
            captured ? amountCaptured : (long)c["amount"]!, (string)c["currency"]!, refunded,
            PaymentStates.OfCharge((string)c["status"]!, captured, amountCaptured, refunded));
    }

    private static async IAsyncEnumerable<JsonObject> PagesAsync(EmulatorClient api, string path, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        string? after = null;
        var sep = path.EndsWith('?') ? "" : "&";
        while (true)
        {
            var page = await api.GetAsync($"{path}{sep}limit=100{(after is null ? "" : "&starting_after=" + after)}", ct);
            var data = page["data"]!.AsArray();
            foreach (var item in data) yield return item!.AsObject();
            if (!(bool)page["has_more"]! || data.Count == 0) yield break;
            after = (string)data[^1]!["id"]!;
        }
    }
}
