using Microsoft.Extensions.Options;
using OrderService;
using Stripe;

// A small order service: takes card payments with Stripe.net and learns their outcome from signed webhooks.
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddOptions<StripeSettings>().Bind(builder.Configuration.GetSection(StripeSettings.Section))
    .Validate(s => !string.IsNullOrWhiteSpace(s.ApiKey), "Stripe:ApiKey is required")
    .Validate(s => !string.IsNullOrWhiteSpace(s.WebhookSecret), "Stripe:WebhookSecret is required")
    .ValidateOnStart();
// One client for the app (it is thread-safe). Tests replace this registration with MockProcessorHost.CreateStripeClient.
builder.Services.AddSingleton(sp =>
{
    var settings = sp.GetRequiredService<IOptions<StripeSettings>>().Value;
    return new StripeClient(settings.ApiKey, apiBase: settings.ApiBase);
});
builder.Services.AddSingleton<OrderStore>();

var app = builder.Build();
app.MapOrders();
app.MapStripeWebhook();
app.MapGet("/healthz", () => "ok");
app.Run();

public partial class Program;
