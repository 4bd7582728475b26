using MockProcessor.Domain.Common;
using MockProcessor.Domain.PaymentIntents;
using static MockProcessor.Domain.PaymentIntents.PaymentIntentAction;
using static MockProcessor.Domain.PaymentIntents.PaymentIntentStatus;

namespace MockProcessor.Domain.Tests.PaymentIntents;

public class TransitionTableTests
{
    // The expected table, written out independently of PaymentIntentRules.Allows (§11.3).
    private static readonly Dictionary<PaymentIntentStatus, PaymentIntentAction[]> Allowed = new()
    {
        [RequiresPaymentMethod] = [UpdateDetails, UpdatePayment, Confirm, Cancel],
        [RequiresConfirmation] = [UpdateDetails, UpdatePayment, Confirm, Cancel],
        [RequiresAction] = [UpdateDetails, UpdatePayment, Confirm, Authenticate, Cancel],
        [Processing] = [UpdateDetails],
        [RequiresCapture] = [UpdateDetails, Capture, Cancel, Expire],
        [Succeeded] = [UpdateDetails],
        [Canceled] = [],
    };

    public static TheoryData<PaymentIntentStatus, PaymentIntentAction, bool> EveryPair()
    {
        var data = new TheoryData<PaymentIntentStatus, PaymentIntentAction, bool>();
        foreach (var status in Enum.GetValues<PaymentIntentStatus>())
        foreach (var action in Enum.GetValues<PaymentIntentAction>())
            data.Add(status, action, Allowed[status].Contains(action));
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void Every_status_and_action_is_allowed_or_unexpected_state(PaymentIntentStatus status, PaymentIntentAction action, bool allowed)
    {
        Assert.Equal(allowed, PaymentIntentRules.Allows(status, action));
        var pi = new PaymentIntent { Id = "pi_1", AccountId = "acct_1", Created = 0, Amount = 1000, Currency = "usd", Status = status, ClientSecret = "s" };
        var error = PaymentIntentRules.Guard(pi, action);
        if (allowed)
        {
            Assert.Null(error);
            return;
        }
        Assert.NotNull(error);
        Assert.Equal(400, error.Status);
        Assert.Equal("payment_intent_unexpected_state", error.Code);
        Assert.Equal("pi_1", error.PaymentIntentId);
        Assert.Contains($"status of {status.ToWire()}", error.Message);
    }

    [Fact]
    public void Cancel_message_lists_the_cancelable_statuses()
    {
        var pi = new PaymentIntent { Id = "pi_1", AccountId = "a", Created = 0, Amount = 1000, Currency = "usd", Status = Succeeded, ClientSecret = "s" };
        var error = PaymentIntentRules.Guard(pi, Cancel)!;
        Assert.Equal(
            "This PaymentIntent cannot be canceled because it has a status of succeeded. A PaymentIntent can be canceled only when it is in one of these statuses: requires_payment_method, requires_confirmation, requires_action, requires_capture.",
            error.Message);
    }
}
