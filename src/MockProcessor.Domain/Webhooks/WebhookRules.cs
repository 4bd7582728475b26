using MockProcessor.Domain.Errors;

namespace MockProcessor.Domain.Webhooks;

/// <summary>What a dispatcher attempt should do, decided from the endpoint's faults before anything is sent.</summary>
public sealed record AttemptPlan(bool Drop, bool FailWithoutSending, long Timestamp, IReadOnlyList<string> Secrets, bool Duplicate, IReadOnlyList<string> Faults);

/// <summary>
/// The webhook rules, pure: which endpoints an event goes to, when attempts are due, what an attempt's result
/// does to a delivery, and what each QA fault changes. Clocks (virtual and wall) are arguments; the only
/// "randomness" (reorder) is a hash of the delivery id, so a seeded run is repeatable.
/// </summary>
public static class WebhookRules
{
    /// <summary>Seconds subtracted from the signing time by the stale_timestamp fault: twice the SDKs' 300 s tolerance.</summary>
    public const long StaleBySeconds = 600;

    public static bool Matches(WebhookEndpoint endpoint, string eventType) =>
        endpoint.Active && endpoint.EnabledEvents.Any(e => e == KnownEventTypes.All || e == eventType);

    /// <summary>Stripe requires a non-empty list of known event types (or <c>*</c>).</summary>
    public static Outcome<IReadOnlyList<string>> ValidateEnabledEvents(IReadOnlyList<string>? events)
    {
        if (events is null) return StripeError.ParameterMissing("enabled_events");
        if (events.Count == 0) return StripeError.InvalidEmpty("enabled_events");
        for (var i = 0; i < events.Count; i++)
            if (!KnownEventTypes.IsKnown(events[i]))
                return StripeError.InvalidValue("enabled_events",
                    $"Invalid enabled_events[{i}]: '{events[i]}' is not a known event type. Use '*' to enable all events.");
        return events.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>A new delivery of an event to an endpoint, due now unless the delay or reorder fault postpones it.</summary>
    public static WebhookDelivery NewDelivery(string id, WebhookEndpoint endpoint, string eventId, string eventType, long now, bool resend = false)
    {
        var f = endpoint.Faults;
        var faults = new List<string>();
        var due = now;
        if (f.DelaySeconds > 0) { due += f.DelaySeconds; faults.Add(WebhookFaultNames.Delay); }
        if (f.ReorderWindow > 0) { due += ReorderOffset(id, f.ReorderWindow); faults.Add(WebhookFaultNames.Reorder); }
        return new WebhookDelivery
        {
            Id = id, AccountId = endpoint.AccountId, Created = now, EventId = eventId, EventType = eventType,
            EndpointId = endpoint.Id, NextAttemptAt = due, InitialFaults = faults, Resend = resend,
        };
    }

    /// <summary>0..window-1, a stable function of the delivery id (FNV-1a), so the shuffle is the same on every run.</summary>
    public static long ReorderOffset(string deliveryId, int window)
    {
        if (window <= 1) return 0;
        var h = 14695981039346656037UL;
        foreach (var ch in deliveryId) { h ^= ch; h *= 1099511628211UL; }
        return (long)(h % (ulong)window);
    }

    /// <summary>How the next attempt of <paramref name="d"/> is made, given the endpoint's faults and the wall clock (signatures use real time).</summary>
    public static AttemptPlan Plan(WebhookEndpoint endpoint, WebhookDelivery d, long wallNow, long now)
    {
        var secrets = SigningSecrets(endpoint, now);
        var f = endpoint.Faults;
        var faults = d.AttemptCount == 0 ? new List<string>(d.InitialFaults) : [];
        if (f.DropTypes.Contains(d.EventType))
            return new AttemptPlan(true, false, wallNow, secrets, false, [.. faults, WebhookFaultNames.DropType]);
        var failWithoutSending = d.AttemptCount < f.FailFirst;
        if (failWithoutSending) faults.Add(WebhookFaultNames.FailFirst);
        var t = wallNow;
        if (f.StaleTimestamp) { t -= StaleBySeconds; faults.Add(WebhookFaultNames.StaleTimestamp); }
        if (f.WrongSecret) { secrets = [WrongSecret(endpoint.Secret)]; faults.Add(WebhookFaultNames.WrongSecret); }
        return new AttemptPlan(false, failWithoutSending, t, secrets, f.Duplicate && !failWithoutSending, faults);
    }

    /// <summary>The longest overlap a secret roll allows: Stripe's Dashboard offers up to 24 hours.</summary>
    public const long MaxRollOverlapSeconds = 24 * 3600;

    /// <summary>The secrets a delivery is signed with at <paramref name="now"/>: the current one, then unexpired former ones.</summary>
    public static IReadOnlyList<string> SigningSecrets(WebhookEndpoint endpoint, long now) =>
        endpoint.ExpiringSecrets.Count == 0 ? [endpoint.Secret]
            : [endpoint.Secret, .. endpoint.ExpiringSecrets.Where(s => s.ExpiresAt > now).Select(s => s.Secret)];

    /// <summary>
    /// Rolls the signing secret to <paramref name="newSecret"/>; the old one keeps signing for <paramref name="overlapSeconds"/>
    /// (0: it stops at once). Former secrets already expired are forgotten.
    /// </summary>
    public static WebhookEndpoint RollSecret(WebhookEndpoint endpoint, string newSecret, long now, long overlapSeconds)
    {
        var kept = endpoint.ExpiringSecrets.Where(s => s.ExpiresAt > now);
        var old = overlapSeconds > 0 ? new[] { new ExpiringSecret(endpoint.Secret, now + overlapSeconds) } : [];
        return endpoint with { Secret = newSecret, ExpiringSecrets = [.. old, .. kept] };
    }

    /// <summary>A well-formed secret that is certainly not <paramref name="secret"/>.</summary>
    public static string WrongSecret(string secret) =>
        "whsec_" + new string(secret.Length > 6 ? secret[6..].Reverse().ToArray() : []) + "x";

    /// <summary>Records a scheduled attempt: a 2xx succeeds; otherwise the next retry is due per the schedule, or the delivery fails after the last.</summary>
    public static WebhookDelivery ApplyAttempt(WebhookDelivery d, WebhookAttempt attempt, long now, RetrySchedule schedule)
    {
        var count = d.AttemptCount + 1;
        var attempts = d.Attempts.Append(attempt).ToList();
        if (attempt.Succeeded)
            return d with { Status = DeliveryStatus.Succeeded, NextAttemptAt = null, AttemptCount = count, Attempts = attempts };
        if (count >= schedule.MaxAttempts)
            return d with { Status = DeliveryStatus.Failed, NextAttemptAt = null, AttemptCount = count, Attempts = attempts };
        return d with { NextAttemptAt = now + schedule.Delays[count - 1], AttemptCount = count, Attempts = attempts };
    }

    /// <summary>Logs an extra send (the duplicate fault) without changing the delivery's state.</summary>
    public static WebhookDelivery LogExtra(WebhookDelivery d, WebhookAttempt attempt) =>
        d with { Attempts = d.Attempts.Append(attempt).ToList() };

    /// <summary>The drop_type fault: the event is never sent; the log shows why.</summary>
    public static WebhookDelivery Drop(WebhookDelivery d, WebhookAttempt attempt) =>
        d with { Status = DeliveryStatus.Dropped, NextAttemptAt = null, Attempts = d.Attempts.Append(attempt).ToList() };

    /// <summary>A disabled or deleted endpoint gets no further attempts (Stripe stops retrying too).</summary>
    public static WebhookDelivery Cancel(WebhookDelivery d) => d with { Status = DeliveryStatus.Canceled, NextAttemptAt = null };
}
