using System.Globalization;
using System.Text.Json.Nodes;
using Bogus;

namespace MockProcessor.Commands;

public sealed class SeedSettings
{
    public string? BaseUrl { get; set; }
    public string? Database { get; set; }
    public int Merchants { get; set; } = 3;
    public int Customers { get; set; } = 25;
    public int Payments { get; set; } = 150;
    public int Weeks { get; set; } = 4;
    public long Seed { get; set; } = 42;
    /// <summary>Where the demo history ends (Unix seconds); default: the emulator's clock.</summary>
    public long? Now { get; set; }
}

/// <summary>What one seeded merchant got, for the summary table.</summary>
public sealed record SeededMerchant(string Key, string Account, int Customers, int Succeeded, int Declined, int Refunded, int Disputed);

/// <summary>
/// Demo data through the public API only: per merchant, customers with Bogus names, emails, phones and addresses, then
/// payments spread over the past weeks — mostly successful, some declined, refunded (fully or partly) or disputed
/// (won, lost or left open). Each merchant's clock is first set back to the start of the history (allowed while it holds
/// nothing) and advanced payment by payment, so objects, events, payouts and dispute deadlines carry past dates; it
/// ends at "now". Every choice comes from one Bogus randomizer seeded with --seed, so one seed gives the same data.
/// </summary>
public sealed class Seeder(EmulatorClient api, Func<string, EmulatorClient> asMerchant, SeedSettings settings, TextWriter log)
{
    private static readonly string[] Succeeding = ["pm_card_visa", "pm_card_mastercard", "pm_card_amex", "pm_card_visa_debit", "pm_card_discover"];
    private static readonly string[] Declining =
    [
        "pm_card_visa_chargeDeclined", "pm_card_visa_chargeDeclinedInsufficientFunds", "pm_card_chargeDeclinedExpiredCard",
        "pm_card_chargeDeclinedIncorrectCvc", "pm_card_visa_chargeDeclinedLostCard", "pm_card_radarBlock",
    ];
    private static readonly string[] Disputing = ["pm_card_createDispute", "pm_card_createDisputeProductNotReceived", "pm_card_createDisputeInquiry"];

    public async Task<List<SeededMerchant>> RunAsync(CancellationToken ct)
    {
        var faker = new Faker("en") { Random = new Randomizer((int)(settings.Seed % int.MaxValue)) };
        var now = settings.Now ?? (await api.GetAsync("/_mock/clock", ct))["now"]!.GetValue<long>();
        var start = now - settings.Weeks * 7L * 86_400;
        var result = new List<SeededMerchant>();
        for (var m = 1; m <= settings.Merchants; m++)
        {
            var key = $"sk_test_demo{settings.Seed}_{m}";
            var client = asMerchant(key);
            var clock = await client.GetAsync("/_mock/merchant_clock", ct);
            try { await client.PostAsync("/_mock/merchant_clock/advance", [("to", Str(start))], ct); }
            catch (EmulatorException ex) when (ex.Status == 400)
            {
                throw new EmulatorException(400, $"{key} already holds data, so its history cannot start in the past " +
                    $"(seeded before with --seed {settings.Seed}?): use another --seed. ({ex.Message})", ex.Error);
            }
            var customers = new List<string>();
            for (var c = 0; c < settings.Customers; c++) customers.Add(await CreateCustomer(client, faker, ct));

            // Payment times: sorted random instants of the history, all before now.
            var times = Enumerable.Range(0, settings.Payments).Select(_ => start + faker.Random.Long(0, now - start - 3600)).Order().ToList();
            int succeeded = 0, declined = 0, refunded = 0, disputed = 0;
            foreach (var t in times)
            {
                await AdvanceTo(client, t, ct);
                var roll = faker.Random.Double();
                var kind = roll < 0.70 ? "succeed" : roll < 0.82 ? "decline" : roll < 0.94 ? "refund" : "dispute";
                var card = kind switch
                {
                    "decline" => faker.PickRandom(Declining),
                    "dispute" => faker.PickRandom(Disputing),
                    _ => faker.PickRandom(Succeeding),
                };
                var form = new List<(string, string)>
                {
                    ("amount", Str(faker.Random.Int(5, 400) * 100 + faker.PickRandom(0, 0, 49, 99))),
                    ("currency", "usd"), ("customer", faker.PickRandom(customers)), ("payment_method", card),
                    ("allowed_payment_method_types[0]", "card"), ("confirm", "true"),
                    ("description", faker.Commerce.ProductName()), ("metadata[order_id]", faker.Random.Replace("ORD-#####")),
                    ("receipt_email", faker.Internet.Email()),
                };
                JsonObject pi;
                try { pi = await client.PostAsync("/v1/payment_intents", form, ct); }
                catch (EmulatorException ex) when (ex.Status == 402) { declined++; continue; }
                succeeded++;
                var charge = pi["latest_charge"]!.GetValue<string>();
                if (kind == "refund")
                {
                    refunded++;
                    var amount = pi["amount"]!.GetValue<long>();
                    List<(string, string)> refund = faker.Random.Bool(0.6f) ? [("charge", charge)] : [("charge", charge), ("amount", Str(amount / 2))];
                    refund.Add(("reason", faker.PickRandom("requested_by_customer", "duplicate", "fraudulent")));
                    await client.PostAsync("/v1/refunds", refund, ct);
                }
                if (kind == "dispute")
                {
                    disputed++;
                    var dispute = (await client.GetAsync($"/v1/disputes?charge={charge}", ct))["data"]!.AsArray().FirstOrDefault();
                    // A third is won, a third lost, a third left to its deadline (lost then, if it falls before now).
                    var answer = faker.PickRandom("winning_evidence", "losing_evidence", "");
                    if (dispute is not null && answer.Length > 0)
                        await client.PostAsync($"/v1/disputes/{dispute["id"]}", [("evidence[uncategorized_text]", answer),
                            ("evidence[customer_name]", faker.Name.FullName())], ct);
                }
            }
            await AdvanceTo(client, now, ct);
            var account = clock["account"]!.GetValue<string>();
            result.Add(new SeededMerchant(key, account, customers.Count, succeeded, declined, refunded, disputed));
            await log.WriteLineAsync($"{key} ({account}): {customers.Count} customers, {succeeded} payments succeeded " +
                $"({refunded} refunded, {disputed} disputed), {declined} declined");
        }
        return result;
    }

    // Against a realtime emulator the merchant's clock also runs on its own: two payments a few seconds apart in the
    // history may already be behind it. Then it simply stays where it is.
    private static async Task AdvanceTo(EmulatorClient client, long t, CancellationToken ct)
    {
        try { await client.PostAsync("/_mock/merchant_clock/advance", [("to", Str(t))], ct); }
        catch (EmulatorException ex) when (ex.Status == 400 && ex.Error?["param"]?.GetValue<string>() == "to") { }
    }

    private static async Task<string> CreateCustomer(EmulatorClient client, Faker f, CancellationToken ct)
    {
        var first = f.Name.FirstName();
        var last = f.Name.LastName();
        var customer = await client.PostAsync("/v1/customers",
        [
            ("name", $"{first} {last}"), ("email", f.Internet.Email(first, last).ToLowerInvariant()), ("phone", f.Phone.PhoneNumber("+1 ###-###-####")),
            ("address[line1]", f.Address.StreetAddress()), ("address[city]", f.Address.City()), ("address[state]", f.Address.StateAbbr()),
            ("address[postal_code]", f.Address.ZipCode("#####")), ("address[country]", "US"),
            ("description", f.Company.CatchPhrase()), ("metadata[segment]", f.PickRandom("retail", "wholesale", "subscription")),
        ], ct);
        return customer["id"]!.GetValue<string>();
    }

    private static string Str(long v) => v.ToString(CultureInfo.InvariantCulture);
}
