using System.Net;
using System.Text.Json.Nodes;

namespace MockProcessor.Server.Tests.Resources.Billing;

/// <summary>One-off invoices (docs/billing.md): create from pending items, update and delete drafts, lines, send, search, and the hosted page.</summary>
public class OneOffInvoiceTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    private HttpClient _c = null!;
    private HttpClient _browser = null!;

    public Task InitializeAsync()
    {
        _c = _app.Client("sk_test_oneoff_invoices");
        _browser = _app.Client("");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static string Id(JsonObject o) => (string)o["id"]!;

    private async Task<string> CustomerWithItems(params long[] amounts)
    {
        var cus = Id(await (await _c.PostFormAsync("/v1/customers", ("email", "inv@example.com"), ("name", "Ivy"))).OkAsync());
        var n = 0;
        foreach (var a in amounts)
            await (await _c.PostFormAsync("/v1/invoiceitems", ("customer", cus), ("amount", a.ToString()), ("currency", "usd"), ("description", $"Item {++n}"))).OkAsync();
        return cus;
    }

    private async Task<JsonObject> SentInvoice(params long[] amounts)
    {
        var cus = await CustomerWithItems(amounts);
        var inv = await (await _c.PostFormAsync("/v1/invoices", ("customer", cus), ("collection_method", "send_invoice"), ("days_until_due", "14"),
            ("pending_invoice_items_behavior", "include"))).OkAsync();
        return await (await _c.PostFormAsync($"/v1/invoices/{Id(inv)}/send")).OkAsync();
    }

    private static string PagePath(JsonObject inv) => new Uri((string)inv["hosted_invoice_url"]!).AbsolutePath;

    private Task<HttpResponseMessage> PayOnPage(string path, string number) =>
        _browser.PostFormAsync(path, ("number", number), ("expiry", "12 / 34"), ("cvc", "123"), ("name", "Ivy"));

    [Fact]
    public async Task Finalized_invoices_are_numbered_from_the_customers_next_invoice_sequence_which_an_update_can_set()
    {
        var cus = await CustomerWithItems();
        var customer = await (await _c.GetAsync($"/v1/customers/{cus}")).OkAsync();
        Assert.Equal(1L, (long)customer["next_invoice_sequence"]!);
        var prefix = (string)customer["invoice_prefix"]!;
        async Task<string> FinalizedNumber()
        {
            await (await _c.PostFormAsync("/v1/invoiceitems", ("customer", cus), ("amount", "700"), ("currency", "usd"))).OkAsync();
            var draft = await (await _c.PostFormAsync("/v1/invoices", ("customer", cus), ("collection_method", "send_invoice"), ("days_until_due", "7"),
                ("pending_invoice_items_behavior", "include"))).OkAsync();
            Assert.Null(draft["number"]);
            return (string)(await (await _c.PostFormAsync($"/v1/invoices/{Id(draft)}/finalize")).OkAsync())["number"]!;
        }
        Assert.Equal($"{prefix}-0001", await FinalizedNumber());
        Assert.Equal($"{prefix}-0002", await FinalizedNumber());
        Assert.Equal(3L, (long)(await (await _c.GetAsync($"/v1/customers/{cus}")).OkAsync())["next_invoice_sequence"]!);
        // Set by the merchant (a number carried over from another system), and checked as an integer from 1.
        Assert.Equal(41L, (long)(await (await _c.PostFormAsync($"/v1/customers/{cus}", ("next_invoice_sequence", "41"))).OkAsync())["next_invoice_sequence"]!);
        Assert.Equal($"{prefix}-0041", await FinalizedNumber());
        var error = await (await _c.PostFormAsync($"/v1/customers/{cus}", ("next_invoice_sequence", "0"))).ErrorAsync(400);
        Assert.Equal(("invalid_request_error", "next_invoice_sequence"), ((string)error["type"]!, (string)error["param"]!));
        Assert.Equal(42L, (long)(await (await _c.GetAsync($"/v1/customers/{cus}")).OkAsync())["next_invoice_sequence"]!);
    }

    [Fact]
    public async Task Create_includes_pending_items_only_when_asked_and_defaults_to_a_draft_without_auto_advance()
    {
        var cus = await CustomerWithItems(1500, 2500);
        var empty = await (await _c.PostFormAsync("/v1/invoices", ("customer", cus))).OkAsync();
        Assert.Equal(("draft", false, 0L), ((string)empty["status"]!, (bool)empty["auto_advance"]!, (long)empty["total"]!));
        Assert.Equal("manual", (string)empty["billing_reason"]!);
        Assert.Null(empty["hosted_invoice_url"]);
        var full = await (await _c.PostFormAsync("/v1/invoices", ("customer", cus), ("pending_invoice_items_behavior", "include"),
            ("description", "Consulting"), ("metadata[order]", "42"))).OkAsync();
        Assert.Equal(4000L, (long)full["total"]!);
        Assert.Equal(["Item 1", "Item 2"], full["lines"]!["data"]!.AsArray().Select(l => (string)l!["description"]!));
        var pending = await (await _c.GetAsync($"/v1/invoiceitems?customer={cus}&pending=true")).OkAsync();
        Assert.Empty(pending["data"]!.AsArray());
        var lines = await (await _c.GetAsync($"/v1/invoices/{Id(full)}/lines?limit=1")).OkAsync();
        Assert.Equal((1, true), (lines["data"]!.AsArray().Count, (bool)lines["has_more"]!));
        var rest = await (await _c.GetAsync($"/v1/invoices/{Id(full)}/lines?starting_after={(string)lines["data"]![0]!["id"]!}")).OkAsync();
        Assert.Equal(("Item 2", false), ((string)rest["data"]![0]!["description"]!, (bool)rest["has_more"]!));
    }

    [Fact]
    public async Task Bad_input_is_refused_with_the_parameter_named()
    {
        var cus = await CustomerWithItems();
        var both = await (await _c.PostFormAsync("/v1/invoices", ("customer", cus), ("collection_method", "send_invoice"), ("days_until_due", "3"), ("due_date", "4102444800"))).ErrorAsync(400);
        Assert.Equal("days_until_due", (string)both["param"]!);
        var auto = await (await _c.PostFormAsync("/v1/invoices", ("customer", cus), ("days_until_due", "3"))).ErrorAsync(400);
        Assert.Equal("days_until_due", (string)auto["param"]!);
        var behavior = await (await _c.PostFormAsync("/v1/invoices", ("customer", cus), ("pending_invoice_items_behavior", "sometimes"))).ErrorAsync(400);
        Assert.Equal("pending_invoice_items_behavior", (string)behavior["param"]!);
        var missing = await (await _c.PostFormAsync("/v1/invoices", ("customer", "cus_nope"))).ErrorAsync(404);
        Assert.Equal("customer", (string)missing["param"]!);
    }

    [Fact]
    public async Task A_draft_can_be_updated_and_deleted_and_its_items_become_pending_again()
    {
        var cus = await CustomerWithItems(700);
        var inv = await (await _c.PostFormAsync("/v1/invoices", ("customer", cus), ("pending_invoice_items_behavior", "include"))).OkAsync();
        var updated = await (await _c.PostFormAsync($"/v1/invoices/{Id(inv)}", ("collection_method", "send_invoice"), ("due_date", "4102444800"),
            ("description", "Updated"), ("metadata[k]", "v"))).OkAsync();
        Assert.Equal(("send_invoice", 4102444800L, "Updated", "v"),
            ((string)updated["collection_method"]!, (long)updated["due_date"]!, (string)updated["description"]!, (string)updated["metadata"]!["k"]!));
        var deleted = await (await _c.DeleteAsync($"/v1/invoices/{Id(inv)}")).OkAsync();
        Assert.True((bool)deleted["deleted"]!);
        await (await _c.GetAsync($"/v1/invoices/{Id(inv)}")).ErrorAsync(404);
        var listed = await (await _c.GetAsync("/v1/invoices?limit=100")).OkAsync();
        Assert.DoesNotContain(Id(inv), listed["data"]!.AsArray().Select(i => (string)i!["id"]!));
        var pending = await (await _c.GetAsync($"/v1/invoiceitems?customer={cus}&pending=true")).OkAsync();
        Assert.Single(pending["data"]!.AsArray());

        var open = await (await _c.PostFormAsync("/v1/invoices", ("customer", cus), ("pending_invoice_items_behavior", "include"))).OkAsync();
        await (await _c.PostFormAsync($"/v1/invoices/{Id(open)}/finalize", ("auto_advance", "false"))).OkAsync();
        var notDraft = await (await _c.PostFormAsync($"/v1/invoices/{Id(open)}", ("collection_method", "send_invoice"))).ErrorAsync(400);
        Assert.Equal("invoice_not_editable", (string)notDraft["code"]!);
        var noDelete = await (await _c.DeleteAsync($"/v1/invoices/{Id(open)}")).ErrorAsync(400);
        Assert.Equal("invoice_unexpected_state", (string)noDelete["code"]!);
    }

    [Fact]
    public async Task Send_finalizes_records_invoice_sent_and_gives_the_hosted_page()
    {
        var inv = await SentInvoice(1200);
        Assert.Equal("open", (string)inv["status"]!);
        Assert.Equal((long)inv["status_transitions"]!["finalized_at"]! + 14 * 86_400, (long)inv["due_date"]!);
        Assert.StartsWith($"http://localhost/invoice/pay/{Id(inv)}/", (string)inv["hosted_invoice_url"]!);
        Assert.Null(inv["invoice_pdf"]);
        var events = await (await _c.GetAsync("/v1/events?type=invoice.sent")).OkAsync();
        Assert.Equal(Id(inv), (string)events["data"]![0]!["data"]!["object"]!["id"]!);
        var auto = await (await _c.PostFormAsync("/v1/invoices", ("customer", (string)inv["customer"]!))).OkAsync();
        var refused = await (await _c.PostFormAsync($"/v1/invoices/{Id(auto)}/send")).ErrorAsync(400);
        Assert.Equal("invoice_unexpected_state", (string)refused["code"]!);
    }

    [Fact]
    public async Task Search_finds_invoices_by_customer_status_total_and_metadata()
    {
        var cus = await CustomerWithItems(900);
        var a = await (await _c.PostFormAsync("/v1/invoices", ("customer", cus), ("pending_invoice_items_behavior", "include"), ("metadata[team]", "red"))).OkAsync();
        var b = await (await _c.PostFormAsync("/v1/invoices", ("customer", cus))).OkAsync();
        async Task<List<string>> Search(string q) =>
            (await (await _c.GetAsync("/v1/invoices/search?query=" + Uri.EscapeDataString(q))).OkAsync())["data"]!.AsArray().Select(i => (string)i!["id"]!).ToList();
        Assert.Equal([Id(b), Id(a)], await Search($"customer:'{cus}'"));
        Assert.Equal([Id(a)], await Search($"customer:'{cus}' AND total>500"));
        Assert.Equal([Id(a)], await Search("metadata['team']:'red'"));
        Assert.Equal([Id(b), Id(a)], await Search($"customer:'{cus}' AND status:'draft'"));
        var bad = await (await _c.GetAsync("/v1/invoices/search?query=" + Uri.EscapeDataString("colour:'red'"))).ErrorAsync(400);
        Assert.Equal("query", (string)bad["param"]!);
    }

    [Fact]
    public async Task The_page_needs_no_key_but_the_right_token_and_shows_lines_and_amount_due()
    {
        var inv = await SentInvoice(1200, 300);
        var path = PagePath(inv);
        var page = await _browser.GetAsync(path);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Item 1", html);
        Assert.Contains("Amount due $15.00", html);
        Assert.Contains("name=\"number\"", html);
        Assert.DoesNotContain("<script", html);
        Assert.Equal(HttpStatusCode.NotFound, (await _browser.GetAsync($"/invoice/pay/{Id(inv)}/tok_wrong")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PayOnPage($"/invoice/pay/{Id(inv)}/tok_wrong", "4242424242424242")).StatusCode);
        Assert.Equal("open", (string)(await (await _c.GetAsync($"/v1/invoices/{Id(inv)}")).OkAsync())["status"]!);
    }

    [Fact]
    public async Task A_decline_shows_the_message_then_4242_pays_and_the_page_shows_the_receipt()
    {
        var inv = await SentInvoice(2000);
        var path = PagePath(inv);
        var declined = await PayOnPage(path, "4000000000000002");
        Assert.Equal(HttpStatusCode.PaymentRequired, declined.StatusCode);
        var html = await declined.Content.ReadAsStringAsync();
        Assert.Contains("Your card was declined.", html);
        Assert.DoesNotContain("4000000000000002", html);
        Assert.Equal("open", (string)(await (await _c.GetAsync($"/v1/invoices/{Id(inv)}")).OkAsync())["status"]!);

        var paid = await PayOnPage(path, "4242 4242 4242 4242");
        Assert.Equal(HttpStatusCode.SeeOther, paid.StatusCode);
        var receipt = await _browser.GetAsync(paid.Headers.Location!.ToString());
        Assert.Contains("Paid $20.00", await receipt.Content.ReadAsStringAsync());
        var after = await (await _c.GetAsync($"/v1/invoices/{Id(inv)}")).OkAsync();
        Assert.Equal(("paid", 2000L), ((string)after["status"]!, (long)after["amount_paid"]!));
        var again = await PayOnPage(path, "4242424242424242");
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task A_3ds_card_goes_through_the_challenge_and_back_to_a_paid_invoice()
    {
        var inv = await SentInvoice(2500);
        var path = PagePath(inv);
        var answer = await PayOnPage(path, "4000002760003184");
        Assert.Equal(HttpStatusCode.SeeOther, answer.StatusCode);
        var challenge = answer.Headers.Location!;
        Assert.StartsWith("http://localhost/_mock/3ds/pi_", challenge.ToString());
        var secret = System.Web.HttpUtility.ParseQueryString(challenge.Query)["client_secret"]!;
        var back = await _browser.PostFormAsync(challenge.AbsolutePath, ("client_secret", secret), ("outcome", "complete"));
        Assert.Equal(HttpStatusCode.SeeOther, back.StatusCode);
        Assert.StartsWith($"http://localhost{path}?", back.Headers.Location!.ToString());
        var page = await _browser.GetAsync(back.Headers.Location!.PathAndQuery);
        Assert.Contains("Paid $25.00", await page.Content.ReadAsStringAsync());
        Assert.Equal("paid", (string)(await (await _c.GetAsync($"/v1/invoices/{Id(inv)}")).OkAsync())["status"]!);
    }

    [Fact]
    public async Task A_void_invoice_shows_its_status_and_no_form()
    {
        var inv = await SentInvoice(800);
        await (await _c.PostFormAsync($"/v1/invoices/{Id(inv)}/void")).OkAsync();
        var html = await (await _browser.GetAsync(PagePath(inv))).Content.ReadAsStringAsync();
        Assert.Contains("This invoice is void", html);
        Assert.DoesNotContain("name=\"number\"", html);
    }
}
