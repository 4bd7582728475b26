using System.Net;

namespace MockProcessor.Server.Tests.Resources.Checkout;

/// <summary>The hosted Checkout page at a session's url: the form, paying, declines, 3-D Secure and the pages for sessions that cannot be paid.</summary>
public class CheckoutPageTests : IAsyncLifetime
{
    private readonly TestApp _app = new();
    private HttpClient _c = null!;
    private HttpClient _browser = null!;

    public Task InitializeAsync()
    {
        _c = _app.Client("sk_test_checkout_page");
        _browser = _app.Client("");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task<HttpResponseMessage> Pay(string id, string number, params (string, string)[] extra) =>
        _browser.PostFormAsync($"/checkout/pay/{id}", [("email", "ann@example.com"), ("number", number), ("expiry", "12 / 34"), ("cvc", "123"), ("name", "Ann"), .. extra]);

    [Fact]
    public async Task The_page_shows_the_line_items_total_and_a_card_form_and_nothing_from_elsewhere()
    {
        var id = (string)(await CheckoutSessionApiTests.CreateSession(_c))["id"]!;
        var page = await _browser.GetAsync($"/checkout/pay/{id}");
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("T-shirt", html);
        Assert.Contains("30.00 USD", html);
        Assert.Contains("name=\"number\"", html);
        Assert.Contains("href=\"https://shop.example/cart\"", html);
        Assert.DoesNotContain("<script", html);
        Assert.DoesNotContain("src=\"http", html);
    }

    [Fact]
    public async Task Paying_with_4242_redirects_to_the_success_url_with_the_session_id()
    {
        var id = (string)(await CheckoutSessionApiTests.CreateSession(_c))["id"]!;
        var answer = await Pay(id, "4242 4242 4242 4242");
        Assert.Equal(HttpStatusCode.SeeOther, answer.StatusCode);
        Assert.Equal($"https://shop.example/done?session_id={id}", answer.Headers.Location!.ToString());
        var s = await (await _c.GetAsync($"/v1/checkout/sessions/{id}?expand[]=payment_intent.payment_method")).OkAsync();
        Assert.Equal(("complete", "paid"), ((string)s["status"]!, (string)s["payment_status"]!));
        var pm = s["payment_intent"]!["payment_method"]!;
        Assert.Equal(("4242", "ann@example.com"), ((string)pm["card"]!["last4"]!, (string)pm["billing_details"]!["email"]!));
        // The page of a complete session is a readable 4xx.
        var again = await _browser.GetAsync($"/checkout/pay/{id}");
        Assert.Equal(HttpStatusCode.Gone, again.StatusCode);
        Assert.Contains("already been paid", await again.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_decline_is_shown_on_the_page_and_the_session_stays_open()
    {
        var id = (string)(await CheckoutSessionApiTests.CreateSession(_c))["id"]!;
        var answer = await Pay(id, "4000000000000002");
        Assert.Equal(HttpStatusCode.PaymentRequired, answer.StatusCode);
        var html = await answer.Content.ReadAsStringAsync();
        Assert.Contains("Your card was declined.", html);
        Assert.Contains("value=\"ann@example.com\"", html);
        Assert.DoesNotContain("4000000000000002", html);
        Assert.Equal("open", (string)(await (await _c.GetAsync($"/v1/checkout/sessions/{id}")).OkAsync())["status"]!);
    }

    [Fact]
    public async Task A_wrong_card_number_is_a_card_error_on_the_page_and_nothing_is_kept()
    {
        var id = (string)(await CheckoutSessionApiTests.CreateSession(_c))["id"]!;
        var answer = await Pay(id, "4242424242424241");
        Assert.Equal(HttpStatusCode.PaymentRequired, answer.StatusCode);
        Assert.Contains("Your card number is incorrect.", await answer.Content.ReadAsStringAsync());
        var s = await (await _c.GetAsync($"/v1/checkout/sessions/{id}")).OkAsync();
        Assert.Null(s["payment_intent"]);
    }

    private async Task<string> SubscriptionSession()
    {
        var price = await (await _c.PostFormAsync("/v1/prices", ("currency", "usd"), ("unit_amount", "900"), ("recurring[interval]", "month"),
            ("product_data[name]", "Pro plan"))).OkAsync();
        var s = await (await _c.PostFormAsync("/v1/checkout/sessions", ("mode", "subscription"), ("success_url", CheckoutSessionApiTests.Success),
            ("line_items[0][price]", (string)price["id"]!), ("line_items[0][quantity]", "1"))).OkAsync();
        return (string)s["id"]!;
    }

    [Fact]
    public async Task A_subscription_session_shows_the_period_and_subscribes_through_3d_secure()
    {
        var id = await SubscriptionSession();
        var html = await (await _browser.GetAsync($"/checkout/pay/{id}")).Content.ReadAsStringAsync();
        Assert.Contains("Pro plan", html);
        Assert.Contains("/ month", html);
        Assert.Contains(">Subscribe<", html);
        var answer = await Pay(id, "4000002760003184");
        Assert.Equal(HttpStatusCode.SeeOther, answer.StatusCode);
        var challenge = answer.Headers.Location!;
        Assert.StartsWith("http://localhost/_mock/3ds/pi_", challenge.ToString());
        var secret = System.Web.HttpUtility.ParseQueryString(challenge.Query)["client_secret"]!;
        var back = await _browser.PostFormAsync(challenge.AbsolutePath, ("client_secret", secret), ("outcome", "complete"));
        var returnTo = back.Headers.Location!;
        Assert.StartsWith($"http://localhost/checkout/pay/{id}?payment_intent=", returnTo.ToString());
        var final = await _browser.GetAsync(returnTo.PathAndQuery);
        Assert.Equal($"https://shop.example/done?session_id={id}", final.Headers.Location!.ToString());
        var s = await (await _c.GetAsync($"/v1/checkout/sessions/{id}?expand[]=subscription")).OkAsync();
        Assert.Equal(("complete", "active"), ((string)s["status"]!, (string)s["subscription"]!["status"]!));
    }

    [Fact]
    public async Task A_declined_subscription_payment_is_shown_on_the_page_and_nothing_is_kept()
    {
        var id = await SubscriptionSession();
        var answer = await Pay(id, "4000000000000002");
        Assert.Equal(HttpStatusCode.PaymentRequired, answer.StatusCode);
        Assert.Contains("Your card was declined.", await answer.Content.ReadAsStringAsync());
        Assert.Empty((await (await _c.GetAsync("/v1/subscriptions?status=all")).OkAsync())["data"]!.AsArray());
        var done = await Pay(id, "4242424242424242");
        Assert.Equal(HttpStatusCode.SeeOther, done.StatusCode);
    }

    [Fact]
    public async Task Three_d_secure_goes_through_the_authentication_page_and_back_to_the_success_url()
    {
        var id = (string)(await CheckoutSessionApiTests.CreateSession(_c))["id"]!;
        var answer = await Pay(id, "4000002500003155");
        Assert.Equal(HttpStatusCode.SeeOther, answer.StatusCode);
        var challenge = answer.Headers.Location!;
        Assert.StartsWith("http://localhost/_mock/3ds/pi_", challenge.ToString());
        var secret = System.Web.HttpUtility.ParseQueryString(challenge.Query)["client_secret"]!;
        var back = await _browser.PostFormAsync(challenge.AbsolutePath, ("client_secret", secret), ("outcome", "complete"));
        Assert.Equal(HttpStatusCode.SeeOther, back.StatusCode);
        var returnTo = back.Headers.Location!;
        Assert.StartsWith($"http://localhost/checkout/pay/{id}?payment_intent=", returnTo.ToString());
        var final = await _browser.GetAsync(returnTo.PathAndQuery);
        Assert.Equal(HttpStatusCode.SeeOther, final.StatusCode);
        Assert.Equal($"https://shop.example/done?session_id={id}", final.Headers.Location!.ToString());
    }

    [Fact]
    public async Task A_failed_challenge_comes_back_to_the_form_with_the_reason()
    {
        var id = (string)(await CheckoutSessionApiTests.CreateSession(_c))["id"]!;
        var challenge = (await Pay(id, "4000002500003155")).Headers.Location!;
        var secret = System.Web.HttpUtility.ParseQueryString(challenge.Query)["client_secret"]!;
        var back = await _browser.PostFormAsync(challenge.AbsolutePath, ("client_secret", secret), ("outcome", "fail"));
        var page = await _browser.GetAsync(back.Headers.Location!.PathAndQuery);
        Assert.Equal(HttpStatusCode.PaymentRequired, page.StatusCode);
        Assert.Contains("has failed authentication", await page.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unknown_and_expired_sessions_get_readable_pages()
    {
        var unknown = await _browser.GetAsync("/checkout/pay/cs_test_nope");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("No such checkout", await unknown.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await Pay("cs_test_nope", "4242424242424242")).StatusCode);

        var id = (string)(await CheckoutSessionApiTests.CreateSession(_c))["id"]!;
        await (await _c.PostAsync($"/v1/checkout/sessions/{id}/expire", null)).OkAsync();
        var expired = await _browser.GetAsync($"/checkout/pay/{id}");
        Assert.Equal(HttpStatusCode.Gone, expired.StatusCode);
        var html = await expired.Content.ReadAsStringAsync();
        Assert.Contains("expired", html);
        Assert.DoesNotContain("Exception", html);
    }
}
