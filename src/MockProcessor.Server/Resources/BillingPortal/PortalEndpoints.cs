using System.Collections.Immutable;
using MockProcessor.Domain.Billing;
using MockProcessor.Domain.Common;
using MockProcessor.Domain.Customers;
using MockProcessor.Domain.Errors;
using MockProcessor.Domain.Products;
using MockProcessor.Server.Storage;
using MockProcessor.Server.Wire;

namespace MockProcessor.Server.Resources.BillingPortal;

/// <summary><c>/v1/billing_portal/configurations</c> and <c>/v1/billing_portal/sessions</c> (docs/portal.md).</summary>
public static class PortalEndpoints
{
    private const string Configurations = "/v1/billing_portal/configurations";

    /// <summary>Every session by id, store-wide: the portal page is reached without an API key.</summary>
    public static readonly LookupIndex<PortalSession> SessionsById = new(PortalJson.SessionObject, "id", s => s.Id);

    private const string ConfigurationParams = "business_profile default_return_url features login_page metadata name";

    public static IEnumerable<ApiRoute> Routes() =>
    [
        new("POST", Configurations, PortalJson.ConfigurationObject, CreateConfiguration) { Params = ConfigurationParams },
        new("GET", Configurations, "list:" + PortalJson.ConfigurationObject, ListConfigurations)
            { Params = "active created ending_before is_default limit starting_after" },
        new("GET", Configurations + "/{id}", PortalJson.ConfigurationObject, RetrieveConfiguration) { Params = "" },
        new("POST", Configurations + "/{id}", PortalJson.ConfigurationObject, UpdateConfiguration) { Params = "active " + ConfigurationParams },
        new("POST", "/v1/billing_portal/sessions", PortalJson.SessionObject, CreateSession)
            { Params = "after_expiration configuration customer customer_account flow_data locale on_behalf_of return_url" },
    ];

    private static StripeException Invalid(string param, string message) => new(StripeError.InvalidValue(param, message));

    private static readonly string[] CustomerUpdates = ["address", "email", "name", "phone", "shipping", "tax_id"];
    private static readonly string[] CancelReasons =
        ["customer_service", "low_quality", "missing_features", "other", "switched_service", "too_complex", "too_expensive", "unused"];
    private static readonly string[] AllowedUpdates = ["price", "promotion_code", "quantity"];

    public static readonly string[] Locales =
    [
        "auto", "bg", "cs", "da", "de", "el", "en", "en-AU", "en-CA", "en-GB", "en-IE", "en-IN", "en-NZ", "en-SG", "es", "es-419", "et", "fi", "fil",
        "fr", "fr-CA", "hr", "hu", "id", "it", "ja", "ko", "lt", "lv", "ms", "mt", "nb", "nl", "pl", "pt", "pt-BR", "ro", "ru", "sk", "sl", "sv",
        "th", "tr", "vi", "zh", "zh-HK", "zh-TW",
    ];

    // ------------------------------------------------------------------ configurations

    private static ApiResult CreateConfiguration(ApiContext c)
    {
        var p = c.P;
        var features = p.Object("features") ?? throw new StripeException(StripeError.ParameterMissing("features"), beforeExecution: true);
        var isFirst = Default(c) is null;
        var bpc = new PortalConfiguration
        {
            Id = c.Ids.Next("bpc"), AccountId = c.Account.Id, Created = c.Now, Updated = c.Now,
            // A merchant's first configuration is its default, as the one Stripe makes from the dashboard's settings.
            IsDefault = isFirst,
        };
        bpc = ReadCommon(c, p, bpc) with { Features = ReadFeatures(c, features, new PortalFeatures(), create: true) };
        c.Tx.Put(bpc);
        c.Emit("billing_portal.configuration.created", bpc);
        return c.Respond(bpc);
    }

    private static ApiResult RetrieveConfiguration(ApiContext c) => c.Respond(LoadConfiguration(c, c.Route("id")));

    private static ApiResult UpdateConfiguration(ApiContext c)
    {
        var p = c.P;
        var before = LoadConfiguration(c, c.Route("id"));
        var after = ReadCommon(c, p, before);
        if (p.Object("features") is { } features) after = after with { Features = ReadFeatures(c, features, before.Features, create: false) };
        if (p.Bool("active") is { } active)
        {
            // [?] Stripe's exact refusal is not known; that the default configuration stays active is what its dashboard enforces.
            if (!active && before.IsDefault) throw Invalid("active", "The default configuration cannot be deactivated.");
            after = after with { Active = active };
        }
        // Lists re-sent with the same values make new list objects: compare what the API shows instead.
        if (WireJson.String(c.Render.Render(after)) == WireJson.String(c.Render.Render(before))) return c.Respond(before);
        after = after with { Updated = c.Now };
        return c.Update(before, after, "billing_portal.configuration.updated");
    }

    private static ApiResult ListConfigurations(ApiContext c)
    {
        var p = c.P;
        var lp = ListParams.Read(p);
        var active = p.Bool("active");
        var isDefault = p.Bool("is_default");
        var (page, more) = Lists.Page(c.Tx.NewestFirst<PortalConfiguration>(PortalJson.ConfigurationObject), lp,
            x => (active is null || x.Active == active) && (isDefault is null || x.IsDefault == isDefault), PortalJson.ConfigurationObject);
        return Lists.Render(page, more, Configurations, c.Render, c.Expand);
    }

    public static PortalConfiguration LoadConfiguration(ApiContext c, string id, string param = "id") =>
        c.Load<PortalConfiguration>(id, PortalJson.ConfigurationObject, param);

    /// <summary>The merchant's default configuration, or null when it has none yet.</summary>
    public static PortalConfiguration? Default(ApiContext c) =>
        c.Tx.NewestFirst<PortalConfiguration>(PortalJson.ConfigurationObject).FirstOrDefault(x => x.IsDefault);

    /// <summary>
    /// The configuration a session gets when none is named and the merchant never made one: Stripe's test-mode portal
    /// settings out of the box (invoice history, payment method update, cancel at period end without proration, email and
    /// address updates; plan switching off). It becomes the default, announced like a created one.
    /// </summary>
    private static PortalConfiguration CreateDefault(ApiContext c)
    {
        var bpc = new PortalConfiguration
        {
            Id = c.Ids.Next("bpc"), AccountId = c.Account.Id, Created = c.Now, Updated = c.Now, IsDefault = true,
            Features = new PortalFeatures
            {
                CustomerUpdateEnabled = true, CustomerUpdateAllowed = ["email", "address"], InvoiceHistoryEnabled = true,
                PaymentMethodUpdateEnabled = true, CancelEnabled = true, CancelMode = PortalCancelMode.AtPeriodEnd,
                CancelProration = ProrationBehavior.None,
            },
        };
        c.Tx.Put(bpc);
        c.Emit("billing_portal.configuration.created", bpc);
        return bpc;
    }

    private static PortalConfiguration ReadCommon(ApiContext c, Params p, PortalConfiguration bpc)
    {
        if (p.Object("business_profile") is { } bp)
        {
            if (bp.StringPatch("headline", 60) is { IsSet: true } h) bpc = bpc with { Headline = h.Value };
            if (Url(bp, "privacy_policy_url") is { IsSet: true } pp) bpc = bpc with { PrivacyPolicyUrl = pp.Value };
            if (Url(bp, "terms_of_service_url") is { IsSet: true } tos) bpc = bpc with { TermsOfServiceUrl = tos.Value };
        }
        if (Url(p, "default_return_url") is { IsSet: true } ret) bpc = bpc with { DefaultReturnUrl = ret.Value };
        if (p.Object("login_page") is { } login)
            bpc = bpc with { LoginPageEnabled = login.Bool("enabled") ?? throw Missing(login, "enabled") };
        if (p.StringPatch("name", 256) is { IsSet: true } name) bpc = bpc with { Name = name.Value };
        return bpc with { Metadata = p.Metadata(bpc.Metadata) };
    }

    private static StripeException Missing(Params p, string key) => new(StripeError.ParameterMissing(p.NameOf(key)), beforeExecution: true);

    /// <summary>An absolute http(s) URL, or <c>""</c> to unset (<c>url_invalid</c> otherwise, as Checkout's URLs).</summary>
    private static Patch<string> Url(Params p, string key)
    {
        var patch = p.StringPatch(key, 5000);
        if (patch is { IsSet: true, Value: { } raw } && !IsHttpUrl(raw))
            throw new StripeException(new StripeError(400, StripeError.InvalidRequest, "url_invalid", "Not a valid URL", p.NameOf(key)), beforeExecution: true);
        return patch;
    }

    private static bool IsHttpUrl(string raw) =>
        Uri.TryCreate(raw, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    /// <summary>
    /// <c>features[...]</c> onto <paramref name="f"/>: on create each given feature needs <c>enabled</c>; on update only
    /// what is sent changes. An enabled <c>subscription_update</c> must name the products and prices offered.
    /// </summary>
    private static PortalFeatures ReadFeatures(ApiContext c, Params p, PortalFeatures f, bool create)
    {
        bool? Enabled(Params sub, bool required) => sub.Bool("enabled") is { } e ? e : required ? throw Missing(sub, "enabled") : null;

        if (p.Object("customer_update") is { } cu)
        {
            f = f with { CustomerUpdateEnabled = Enabled(cu, create) ?? f.CustomerUpdateEnabled };
            if (EnumList(cu, "allowed_updates", CustomerUpdates) is { } allowed) f = f with { CustomerUpdateAllowed = allowed };
        }
        if (p.Object("invoice_history") is { } ih) f = f with { InvoiceHistoryEnabled = Enabled(ih, true)!.Value };
        if (p.Object("payment_method_update") is { } pmu)
        {
            f = f with { PaymentMethodUpdateEnabled = Enabled(pmu, true)!.Value };
            if (pmu.String("payment_method_configuration", 100) is { } pmc)
                throw Invalid(pmu.NameOf("payment_method_configuration"), $"Payment method configurations are not emulated ({pmc}); leave it out to use the card.");
        }
        if (p.Object("subscription_cancel") is { } sc)
        {
            f = f with { CancelEnabled = Enabled(sc, create) ?? f.CancelEnabled };
            if (sc.Enum<PortalCancelMode>("mode") is { } mode) f = f with { CancelMode = mode };
            if (sc.Enum<ProrationBehavior>("proration_behavior") is { } pb) f = f with { CancelProration = pb };
            if (sc.Object("cancellation_reason") is { } cr)
            {
                f = f with { CancellationReasonEnabled = Enabled(cr, true)!.Value };
                if (EnumList(cr, "options", CancelReasons) is { } options) f = f with { CancellationReasonOptions = options };
                else if (create) throw Missing(cr, "options");
                if (cr.StringList("feedback_options") is { Count: > 0 })
                    throw Invalid(cr.NameOf("feedback_options"), "Custom feedback options are not emulated; use options.");
            }
        }
        if (p.Object("subscription_pause") is { } sp)
        {
            f = f with { PauseEnabled = Enabled(sp, false) ?? f.PauseEnabled };
            if (sp.Object("duration") is { } d && (d.Enum("type", "indefinite", "interval_options") != "indefinite" || d.Has("interval_options")))
                throw Invalid(d.NameOf("type"), "Only an indefinite pause duration is emulated.");
        }
        if (p.Object("subscription_update") is { } su)
        {
            f = f with { UpdateEnabled = Enabled(su, create) ?? f.UpdateEnabled };
            if (EnumList(su, "default_allowed_updates", AllowedUpdates) is { } allowed) f = f with { UpdateDefaultAllowed = allowed };
            if (su.ObjectList("products") is { } products) f = f with { UpdateProducts = ReadProducts(c, su, products) };
            if (su.Enum<ProrationBehavior>("proration_behavior") is { } pb) f = f with { UpdateProration = pb };
            if (su.Enum("billing_cycle_anchor", "now", "unchanged") is { } anchor) f = f with { UpdateBillingCycleAnchor = anchor };
            if (su.Enum("trial_update_behavior", "continue_trial", "end_trial") is { } trial) f = f with { TrialUpdateBehavior = trial };
            if (su.Object("schedule_at_period_end") is { } sched && sched.ObjectList("conditions") is { } conditions)
                f = f with
                {
                    ScheduleConditions = [.. conditions.Select(x => x.Enum("type", "decreasing_item_amount", "shortening_interval") ?? throw Missing(x, "type"))],
                };
            if (f.UpdateEnabled && f.UpdateProducts.Count == 0)
                throw Invalid(su.NameOf("products"), "To enable subscription updates, specify at least one product and its prices in features[subscription_update][products].");
        }
        return f;
    }

    private static ImmutableList<string>? EnumList(Params p, string key, string[] allowed)
    {
        if (p.StringList(key) is not { } values) return null;
        foreach (var v in values)
            if (!allowed.Contains(v)) throw new StripeException(StripeError.InvalidEnum(p.NameOf(key), v, allowed), beforeExecution: true);
        return [.. values.Distinct()];
    }

    /// <summary>Up to 10 products, each with its own recurring prices (active, of that product).</summary>
    private static ImmutableList<PortalProduct> ReadProducts(ApiContext c, Params su, List<Params> products)
    {
        if (products.Count > PortalRules.MaxProducts)
            throw Invalid(su.NameOf("products"), $"At most {PortalRules.MaxProducts} products can be offered in the portal.");
        var result = new List<PortalProduct>();
        for (var n = 0; n < products.Count; n++)
        {
            var pp = products[n];
            var productId = pp.RequiredString("product", 100);
            var product = c.Tx.Get<Product>(productId) is { Deleted: false } found ? found
                : throw new StripeException(StripeError.ResourceMissing("product", productId, pp.NameOf("product")));
            var prices = pp.StringList("prices") ?? throw Missing(pp, "prices");
            if (prices.Count == 0) throw Invalid(pp.NameOf("prices"), $"Name at least one price of {product.Id}.");
            foreach (var priceId in prices)
            {
                var price = c.Load<Price>(priceId, "price", pp.NameOf("prices"));
                if (price.Product != product.Id) throw Invalid(pp.NameOf("prices"), $"The price {price.Id} does not belong to the product {product.Id}.");
                if (price.Recurring is null) throw Invalid(pp.NameOf("prices"), $"The price {price.Id} is not a recurring price.");
            }
            if (pp.Object("adjustable_quantity") is { } aq && (aq.Bool("enabled") ?? throw Missing(aq, "enabled")))
                throw Invalid(aq.NameOf("enabled"), "Adjustable quantities in the portal are not emulated.");
            result.Add(new PortalProduct(product.Id, [.. prices.Distinct()]));
        }
        return [.. result];
    }

    // ------------------------------------------------------------------ sessions

    private static ApiResult CreateSession(ApiContext c)
    {
        var p = c.P;
        if (p.String("customer_account", 100) is not null)
            throw Invalid("customer_account", "Accounts v2 customers are not emulated; pass customer.");
        if (p.String("on_behalf_of", 100) is not null)
            throw Invalid("on_behalf_of", "on_behalf_of (a connected account's branding in the portal) is not emulated.");
        if (p.Object("after_expiration") is not null)
            throw Invalid("after_expiration", "Session recovery after expiration is not emulated.");
        var customerId = p.RequiredString("customer", 100);
        var customer = c.Tx.Get<Customer>(customerId) is { Deleted: false } cus ? cus
            : throw new StripeException(StripeError.ResourceMissing("customer", customerId, "customer"));
        var locale = p.Enum("locale", Locales);
        var returnUrl = Url(p, "return_url") is { IsSet: true } r ? r.Value : null;
        PortalConfiguration config;
        if (p.String("configuration", 100) is { } configId)
        {
            config = LoadConfiguration(c, configId, "configuration");
            if (!config.Active) throw Invalid("configuration", $"The configuration {config.Id} is not active.");
        }
        else config = Default(c) ?? CreateDefault(c);
        var flow = p.Object("flow_data") is { } fd ? ReadFlow(c, fd, config, customer) : null;
        var session = new PortalSession
        {
            Id = c.Ids.Next("bps"), AccountId = c.Account.Id, Created = c.Now, Customer = customer.Id, Configuration = config.Id,
            ReturnUrl = returnUrl ?? config.DefaultReturnUrl, Locale = locale, Flow = flow,
            Token = "test_" + c.Ids.Chars(40), PageBaseUrl = c.BaseUrl, OpenBy = c.Now + PortalRules.OpenWithinSeconds,
        };
        c.Tx.Put(session);
        c.Emit("billing_portal.session.created", session);
        return c.Respond(session);
    }

    /// <summary>
    /// <c>flow_data</c>: the page opens on one action. The subscription must be the customer's and live, and the action's
    /// feature enabled in the configuration.
    /// </summary>
    private static PortalFlow ReadFlow(ApiContext c, Params fd, PortalConfiguration config, Customer customer)
    {
        var type = fd.Enum("type", "customer_update", "payment_method_update", "subscription_cancel", "subscription_pause",
            "subscription_update", "subscription_update_confirm") ?? throw Missing(fd, "type");
        string? subscription = null;
        var f = config.Features;
        switch (type)
        {
            case "payment_method_update":
                if (!f.PaymentMethodUpdateEnabled) throw Disabled(fd, "payment_method_update");
                break;
            case "subscription_cancel":
                var sc = fd.Object("subscription_cancel") ?? throw Missing(fd, "subscription_cancel");
                subscription = LiveSubscription(c, sc, customer).Id;
                if (sc.Object("retention") is not null)
                    throw Invalid(sc.NameOf("retention"), "Retention coupon offers in the portal are not emulated.");
                if (!f.CancelEnabled) throw Disabled(fd, "subscription_cancel");
                break;
            case "subscription_update":
                var su = fd.Object("subscription_update") ?? throw Missing(fd, "subscription_update");
                subscription = LiveSubscription(c, su, customer).Id;
                if (!f.UpdateEnabled) throw Disabled(fd, "subscription_update");
                break;
            default:
                throw Invalid(fd.NameOf("type"), $"The portal flow {type} is not emulated (docs/portal.md).");
        }
        var after = "portal_homepage";
        string? redirect = null, message = null;
        if (fd.Object("after_completion") is { } ac)
        {
            after = ac.Enum("type", "hosted_confirmation", "portal_homepage", "redirect") ?? throw Missing(ac, "type");
            if (after == "redirect")
            {
                var rd = ac.Object("redirect") ?? throw Missing(ac, "redirect");
                redirect = Url(rd, "return_url") is { IsSet: true, Value: { } u } ? u : throw Missing(rd, "return_url");
            }
            if (after == "hosted_confirmation" && ac.Object("hosted_confirmation") is { } hc) message = hc.String("custom_message", 500);
        }
        return new PortalFlow(type, subscription, after, redirect, message);
    }

    private static StripeException Disabled(Params fd, string feature) =>
        Invalid(fd.NameOf("type"), $"The {feature} flow needs features[{feature}][enabled] on the portal configuration.");

    private static Subscription LiveSubscription(ApiContext c, Params p, Customer customer)
    {
        var id = p.RequiredString("subscription", 100);
        var sub = c.Tx.Get<Subscription>(id) ?? throw new StripeException(StripeError.ResourceMissing("subscription", id, p.NameOf("subscription")));
        if (sub.Customer != customer.Id) throw Invalid(p.NameOf("subscription"), $"The subscription {id} does not belong to the customer {customer.Id}.");
        if (SubscriptionRules.IsTerminal(sub.Status)) throw Invalid(p.NameOf("subscription"), $"The subscription {id} is {sub.Status.ToWire()}.");
        return sub;
    }
}
