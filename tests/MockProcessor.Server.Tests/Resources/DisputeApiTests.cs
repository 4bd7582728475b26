using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Resources;

public class DisputeApiTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    private HttpClient _c = null!;

    public Task InitializeAsync() { _c = _app.Client("sk_test_disputes"); return Task.CompletedTask; }
    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<JsonObject> Get(string url) => await (await _c.GetAsync(url)).OkAsync();

    // Pays through a PaymentIntent (confirm=true), the path most integrations use.
    private async Task<(string Pi, string Charge)> Pay(string pm, long amount = 10_000)
    {
        var pi = await (await _c.PostFormAsync("/v1/payment_intents", ("amount", amount.ToString()), ("currency", "usd"),
            ("payment_method", pm), ("allowed_payment_method_types[]", "card"), ("confirm", "true"))).OkAsync();
        Assert.Equal("succeeded", (string)pi["status"]!);
        return ((string)pi["id"]!, (string)pi["latest_charge"]!);
    }

    private async Task<JsonArray> DisputesOf(string charge) => (await Get($"/v1/disputes?charge={charge}"))["data"]!.AsArray();

    // Σ net of every balance transaction, and the balance's available + pending: they must agree.
    private async Task<long> Ledger()
    {
        var net = (await Get("/v1/balance_transactions?limit=100"))["data"]!.AsArray().Sum(t => (long)t!["net"]!);
        var b = await Get("/v1/balance");
        var balance = b["available"]!.AsArray().Sum(f => (long)f!["amount"]!) + b["pending"]!.AsArray().Sum(f => (long)f!["amount"]!);
        Assert.Equal(net, balance);
        return net;
    }

    private async Task<long> Types(string type) => (await Get($"/v1/events?type={type}"))["data"]!.AsArray().Count;

    [Fact]
    public async Task CreateDispute_card_opens_a_chargeback_and_withdraws_amount_plus_fee()
    {
        var (pi, ch) = await Pay("pm_card_createDispute");
        var d = (await DisputesOf(ch)).Single()!.AsObject();
        Assert.Equal(("dispute", "needs_response", "fraudulent", 10_000L), ((string)d["object"]!, (string)d["status"]!, (string)d["reason"]!, (long)d["amount"]!));
        Assert.Equal((pi, "chargeback", "10.4"), ((string)d["payment_intent"]!, (string)d["payment_method_details"]!["card"]!["case_type"]!,
            (string)d["payment_method_details"]!["card"]!["network_reason_code"]!));
        Assert.False((bool)d["is_charge_refundable"]!);
        Assert.Equal(TestApp.StartTime - TestApp.StartTime % 86_400 + 8 * 86_400 - 1, (long)d["evidence_details"]!["due_by"]!);
        var txn = d["balance_transactions"]!.AsArray().Single()!;
        Assert.Equal((-10_000L, 1500L, -11_500L, "adjustment", "dispute"),
            ((long)txn["amount"]!, (long)txn["fee"]!, (long)txn["net"]!, (string)txn["type"]!, (string)txn["reporting_category"]!));
        Assert.Equal("Dispute fee", (string)txn["fee_details"]![0]!["description"]!);
        Assert.Equal(10_000 - 320 - 11_500, await Ledger());

        var charge = await Get($"/v1/charges/{ch}");
        Assert.True((bool)charge["disputed"]!);
        Assert.Equal(1, await Types("charge.dispute.created"));
        Assert.Equal(1, await Types("charge.dispute.funds_withdrawn"));
        var expanded = await Get($"/v1/disputes/{d["id"]}?expand[]=charge&expand[]=payment_intent");
        Assert.Equal(ch, (string)expanded["charge"]!["id"]!);
        Assert.Equal(pi, (string)expanded["payment_intent"]!["id"]!);
    }

    [Fact]
    public async Task Winning_evidence_wins_and_reinstates_amount_and_fee()
    {
        var (_, ch) = await Pay("pm_card_createDispute");
        var id = (string)(await DisputesOf(ch))[0]!["id"]!;
        var won = await (await _c.PostFormAsync($"/v1/disputes/{id}", ("evidence[uncategorized_text]", "winning_evidence"),
            ("evidence[customer_name]", "Jo"), ("metadata[case]", "7"))).OkAsync();
        Assert.Equal("won", (string)won["status"]!);
        Assert.Equal(("Jo", "7"), ((string)won["evidence"]!["customer_name"]!, (string)won["metadata"]!["case"]!));
        Assert.Equal((true, 1L), ((bool)won["evidence_details"]!["has_evidence"]!, (long)won["evidence_details"]!["submission_count"]!));
        var reversal = won["balance_transactions"]!.AsArray()[1]!;
        Assert.Equal((10_000L, -1500L, 11_500L, "dispute_reversal"),
            ((long)reversal["amount"]!, (long)reversal["fee"]!, (long)reversal["net"]!, (string)reversal["reporting_category"]!));
        Assert.Equal(10_000 - 320, await Ledger());
        Assert.Equal(1, await Types("charge.dispute.funds_reinstated"));
        var closed = (await Get("/v1/events?type=charge.dispute.closed"))["data"]!.AsArray().Single()!;
        Assert.Equal("needs_response", (string)closed["data"]!["previous_attributes"]!["status"]!);

        var again = await (await _c.PostFormAsync($"/v1/disputes/{id}/close")).ErrorAsync(400);
        Assert.Contains("already closed", (string)again["message"]!);
    }

    [Fact]
    public async Task Losing_evidence_and_close_lose_and_keep_the_money_withdrawn()
    {
        var (_, a) = await Pay("pm_card_createDispute");
        var (_, b) = await Pay("pm_card_createDispute");
        var lost = await (await _c.PostFormAsync($"/v1/disputes/{(await DisputesOf(a))[0]!["id"]}", ("evidence[uncategorized_text]", "losing_evidence"))).OkAsync();
        Assert.Equal("lost", (string)lost["status"]!);
        var closed = await (await _c.PostFormAsync($"/v1/disputes/{(await DisputesOf(b))[0]!["id"]}/close")).OkAsync();
        Assert.Equal("lost", (string)closed["status"]!);
        Assert.Single(closed["balance_transactions"]!.AsArray());
        Assert.Equal(2 * (10_000 - 320 - 11_500), await Ledger());
        Assert.Equal(2, await Types("charge.dispute.closed"));
    }

    [Fact]
    public async Task Staged_evidence_then_submit_goes_under_review_and_metadata_alone_does_not_submit()
    {
        var (_, ch) = await Pay("pm_card_createDispute");
        var id = (string)(await DisputesOf(ch))[0]!["id"]!;
        var meta = await (await _c.PostFormAsync($"/v1/disputes/{id}", ("metadata[k]", "v"))).OkAsync();
        Assert.Equal(("needs_response", 0L), ((string)meta["status"]!, (long)meta["evidence_details"]!["submission_count"]!));
        var staged = await (await _c.PostFormAsync($"/v1/disputes/{id}", ("evidence[product_description]", "socks"), ("submit", "false"))).OkAsync();
        Assert.Equal(("needs_response", "socks"), ((string)staged["status"]!, (string)staged["evidence"]!["product_description"]!));
        var unknown = await (await _c.PostFormAsync($"/v1/disputes/{id}", ("evidence[colour]", "red"))).ErrorAsync(400);
        Assert.Equal(("parameter_unknown", "evidence[colour]"), ((string)unknown["code"]!, (string)unknown["param"]!));
        var review = await (await _c.PostFormAsync($"/v1/disputes/{id}", ("submit", "true"))).OkAsync();
        Assert.Equal("under_review", (string)review["status"]!);
        var locked = await (await _c.PostFormAsync($"/v1/disputes/{id}", ("evidence[product_description]", "x"))).ErrorAsync(400);
        Assert.Equal("evidence", (string)locked["param"]!);
        Assert.True(await Types("charge.dispute.updated") >= 3);
    }

    [Fact]
    public async Task Inquiry_card_moves_no_money_and_the_charge_stays_refundable()
    {
        var (_, ch) = await Pay("pm_card_createDisputeInquiry");
        var before = await Ledger();
        Assert.Equal(10_000 - 320, before);
        var d = (await DisputesOf(ch)).Single()!;
        Assert.Equal(("warning_needs_response", "inquiry"), ((string)d["status"]!, (string)d["payment_method_details"]!["card"]!["case_type"]!));
        Assert.True((bool)d["is_charge_refundable"]!);
        Assert.Empty(d["balance_transactions"]!.AsArray());
        Assert.Equal(0, await Types("charge.dispute.funds_withdrawn"));
        await (await _c.PostFormAsync("/v1/refunds", ("charge", ch), ("amount", "100"))).OkAsync();
        var closed = await (await _c.PostFormAsync($"/v1/disputes/{d["id"]}/close")).OkAsync();
        Assert.Equal("warning_closed", (string)closed["status"]!);
        Assert.Equal(before - 100, await Ledger());
    }

    [Fact]
    public async Task Product_not_received_compliance_and_ce3_cards_via_the_legacy_charges_api()
    {
        async Task<JsonObject> Dispute(string token)
        {
            var ch = await (await _c.PostFormAsync("/v1/charges", ("amount", "5000"), ("currency", "usd"), ("source", token))).OkAsync();
            return (await DisputesOf((string)ch["id"]!)).Single()!.AsObject();
        }
        var pnr = await Dispute("tok_createDisputeProductNotReceived");
        Assert.Equal(("product_not_received", "13.1", 5000L), ((string)pnr["reason"]!, (string)pnr["payment_method_details"]!["card"]!["network_reason_code"]!, (long)pnr["amount"]!));
        Assert.Null(pnr["payment_intent"]);
        Assert.Equal("noncompliant", (string)(await Dispute("tok_createComplianceDispute"))["reason"]!);
        Assert.Equal("visa_compelling_evidence_3", (string)(await Dispute("tok_createCe3EligibleDispute"))["enhanced_eligibility_types"]![0]!);
        Assert.Equal(3 * (5000 - 175 - 6500), await Ledger());
    }

    [Fact]
    public async Task Multiple_disputes_card_opens_two_disputes_and_other_cards_none()
    {
        var (_, multi) = await Pay("pm_card_createMultipleDisputes");
        Assert.Equal(2, (await DisputesOf(multi)).Count);
        var (_, efw) = await Pay("pm_card_createIssuerFraudRecord");
        var (_, plain) = await Pay("pm_card_visa");
        Assert.Empty(await DisputesOf(efw));
        Assert.Empty(await DisputesOf(plain));
        Assert.Equal(2, (await Get("/v1/disputes"))["data"]!.AsArray().Count);
        Assert.Equal(3 * (10_000 - 320) - 2 * 11_500, await Ledger());
    }

    [Fact]
    public async Task Manual_capture_opens_the_dispute_at_capture()
    {
        var pi = await (await _c.PostFormAsync("/v1/payment_intents", ("amount", "3000"), ("currency", "usd"), ("capture_method", "manual"),
            ("payment_method", "pm_card_createDispute"), ("allowed_payment_method_types[]", "card"), ("confirm", "true"))).OkAsync();
        var ch = (string)pi["latest_charge"]!;
        Assert.Empty(await DisputesOf(ch));
        await (await _c.PostFormAsync($"/v1/payment_intents/{pi["id"]}/capture")).OkAsync();
        Assert.Single(await DisputesOf(ch));
    }

    [Fact]
    public async Task Refund_of_a_disputed_charge_is_refused()
    {
        var (pi, ch) = await Pay("pm_card_createDispute");
        var error = await (await _c.PostFormAsync("/v1/refunds", ("payment_intent", pi))).ErrorAsync(400);
        Assert.Equal(("charge_disputed", "charge"), ((string)error["code"]!, (string)error["param"]!));
        Assert.Equal(0, (long)(await Get($"/v1/charges/{ch}"))["amount_refunded"]!);
    }

    [Fact]
    public async Task Control_api_opens_and_decides_disputes_on_any_charge()
    {
        var (_, ch) = await Pay("pm_card_visa", 2000);
        var opened = await (await _c.PostFormAsync("/_mock/disputes", ("charge", ch), ("reason", "duplicate"))).OkAsync();
        Assert.Equal(("needs_response", "duplicate", 2000L), ((string)opened["status"]!, (string)opened["reason"]!, (long)opened["amount"]!));
        Assert.Equal(2000 - 88 - 3500, await Ledger());
        var won = await (await _c.PostFormAsync($"/_mock/disputes/{opened["id"]}/decide", ("outcome", "won"))).OkAsync();
        Assert.Equal("won", (string)won["status"]!);
        Assert.Equal(2000 - 88, await Ledger());

        var inquiry = await (await _c.PostFormAsync("/_mock/disputes", ("charge", ch), ("inquiry", "true"))).OkAsync();
        Assert.Equal("warning_needs_response", (string)inquiry["status"]!);
        var escalated = await (await _c.PostFormAsync($"/_mock/disputes/{inquiry["id"]}/decide", ("outcome", "lost"))).OkAsync();
        Assert.Equal(("needs_response", "chargeback"), ((string)escalated["status"]!, (string)escalated["payment_method_details"]!["card"]!["case_type"]!));
        Assert.Equal(2000 - 88 - 3500, await Ledger());

        Assert.Equal("reason", (string)(await (await _c.PostFormAsync("/_mock/disputes", ("charge", ch), ("reason", "bored"))).ErrorAsync(400))["param"]!);
        await (await _c.PostFormAsync("/_mock/disputes", ("charge", "ch_missing"))).ErrorAsync(404);
        await (await _c.PostFormAsync($"/_mock/disputes/{opened["id"]}/decide", ("outcome", "lost"))).ErrorAsync(400);
        await (await _app.Client("").PostFormAsync("/_mock/disputes", ("charge", ch))).ErrorAsync(401);
        var declined = await _c.PostFormAsync("/v1/charges", ("amount", "1000"), ("currency", "usd"), ("source", "tok_chargeDeclined"));
        var failed = (string)(await declined.ErrorAsync(402))["charge"]!;
        await (await _c.PostFormAsync("/_mock/disputes", ("charge", failed))).ErrorAsync(400);
    }

    [Fact]
    public async Task List_filters_by_charge_payment_intent_and_created()
    {
        var (pi, ch) = await Pay("pm_card_createDispute");
        await Pay("pm_card_createDisputeInquiry");
        Assert.Equal(2, (await Get("/v1/disputes"))["data"]!.AsArray().Count);
        Assert.Single((await Get($"/v1/disputes?payment_intent={pi}"))["data"]!.AsArray());
        Assert.Single(await DisputesOf(ch));
        Assert.Empty((await Get($"/v1/disputes?created[gt]={TestApp.StartTime + 10}"))["data"]!.AsArray());
        await (await _c.GetAsync("/v1/disputes/dp_missing")).ErrorAsync(404);
    }
}
