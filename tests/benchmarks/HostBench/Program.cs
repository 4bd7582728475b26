using System.Diagnostics;
using MockProcessor.Server.Time;
using MockProcessor.Testing;
using Stripe;

// Figures for docs/performance.md ("MockProcessorHost"). Arguments: [starts=30] [payments=1000].
// Bounded: every loop has a fixed count; the only sockets are the host's own loopback port.
var starts = args.Length > 0 ? int.Parse(args[0]) : 30;
var payments = args.Length > 1 ? int.Parse(args[1]) : 1000;
Console.WriteLine($"{Environment.ProcessorCount} cores, .NET {Environment.Version}, server GC {System.Runtime.GCSettings.IsServerGC}");

// (a) A host in a warm process: start + the first Stripe.net call (in-process), then dispose.
await StartOnce(); // the process's first host pays JIT and type loading; not counted
var total = new List<double>();
var start = new List<double>();
var first = new List<double>();
var dispose = new List<double>();
for (var i = 0; i < starts; i++)
{
    var sw = Stopwatch.StartNew();
    var mp = await MockProcessorHost.StartAsync(new() { Seed = 42 + i, Clock = ClockMode.Manual });
    var started = sw.Elapsed.TotalMilliseconds;
    await mp.CreateStripeClient(mp.NewMerchantKey()).V1.Customers.CreateAsync(new CustomerCreateOptions { Name = "first" });
    var all = sw.Elapsed.TotalMilliseconds;
    total.Add(all); start.Add(started); first.Add(all - started);
    sw.Restart();
    await mp.DisposeAsync();
    dispose.Add(sw.Elapsed.TotalMilliseconds);
}
Console.WriteLine($"(a) {starts} hosts in a warm process:");
Report("start + first Stripe.net call", total);
Report("  of which StartAsync", start);
Report("  of which the first call", first);
Report("DisposeAsync", dispose);

// (b) create-and-confirm PaymentIntents through Stripe.net, one client, one call at a time.
await using (var mp = await MockProcessorHost.StartAsync(new() { Seed = 1, Clock = ClockMode.Manual }))
{
    foreach (var transport in new[] { Transport.InProcess, Transport.Socket, Transport.InProcess, Transport.Socket })
    {
        var stripe = mp.CreateStripeClient(mp.NewMerchantKey(), transport);
        for (var i = 0; i < 50; i++) await Pay(stripe); // warm-up of this client and merchant
        var each = new List<double>(payments);
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < payments; i++)
        {
            var t = Stopwatch.GetTimestamp();
            await Pay(stripe);
            each.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        }
        var seconds = sw.Elapsed.TotalSeconds;
        Console.WriteLine($"(b) {payments} create-and-confirm, {transport}: {seconds:0.00} s, {payments / seconds:0} /s");
        Report("  per call", each);
    }
    // (c) The same transports without Stripe.net: a plain HttpClient creating customers (with an Idempotency-Key, as
    // Stripe.net sends one), to tell the transport's cost from the SDK's.
    foreach (var transport in new[] { Transport.InProcess, Transport.Socket, Transport.InProcess, Transport.Socket })
    {
        using var http = mp.CreateHttpClient(mp.NewMerchantKey(), transport);
        for (var i = 0; i < 50; i++) await Customer(http);
        var each = new List<double>(payments);
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < payments; i++)
        {
            var t = Stopwatch.GetTimestamp();
            await Customer(http);
            each.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        }
        Console.WriteLine($"(c) {payments} POST /v1/customers with HttpClient, {transport}: {sw.Elapsed.TotalSeconds:0.00} s");
        Report("  per call", each);
    }
    Console.WriteLine($"socket connections accepted: {mp.SocketConnections}");
}

static async Task StartOnce()
{
    await using var mp = await MockProcessorHost.StartAsync(new() { Seed = 0, Clock = ClockMode.Manual });
    await mp.CreateStripeClient(mp.NewMerchantKey()).V1.Customers.CreateAsync(new CustomerCreateOptions());
}

static async Task Pay(StripeClient stripe)
{
    var pi = await stripe.V1.PaymentIntents.CreateAsync(new PaymentIntentCreateOptions
    {
        Amount = 2000, Currency = "usd", PaymentMethod = "pm_card_visa", Confirm = true, AllowedPaymentMethodTypes = ["card"],
    });
    if (pi.Status != "succeeded") throw new InvalidOperationException($"unexpected status {pi.Status}");
}

static async Task Customer(HttpClient http)
{
    using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/customers")
    {
        Content = new FormUrlEncodedContent([new("name", "bench")]),
    };
    request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
    using var response = await http.SendAsync(request);
    response.EnsureSuccessStatusCode();
    await response.Content.ReadAsStringAsync();
}

static void Report(string what, List<double> ms)
{
    var sorted = ms.Order().ToArray();
    double P(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
    Console.WriteLine($"  {what}: median {P(0.5):0.0} ms, p95 {P(0.95):0.0} ms, min {sorted[0]:0.0} ms, max {sorted[^1]:0.0} ms (n={sorted.Length})");
}
