"""An older Stripe client end to end: Debian's python3-stripe 5.0 against the emulator.

stripe-python 5.0 (2022) sends no Stripe-Version, sends booleans as Python spells them (True/False) and reads
2020-era shapes such as PaymentIntent.charges. Its merchant is pinned to API version 2020-08-27 at its first
request, as an account opened in 2020 is on Stripe.

    /usr/bin/python3 tests/python/legacy_client_check.py            # starts the built emulator itself
    MOCKPROCESSOR_URL=http://127.0.0.1:12111 /usr/bin/python3 ...    # or uses a running one

Build first (dotnet build src/MockProcessor -c Release). Prints one line per check and "N passed, N failed";
exits 1 when any check failed.
"""

import http.server
import json
import os
import secrets
import subprocess
import sys
import threading
import time
import urllib.request

import stripe

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DLL = os.path.join(REPO, "src", "MockProcessor", "bin", "Release", "net10.0", "mockprocessor.dll")

results = []


def check(name, condition, detail=""):
    results.append(bool(condition))
    print(("ok   " if condition else "FAIL ") + name + ("" if condition else f"  ({detail})"), flush=True)


def start_emulator():
    url = os.environ.get("MOCKPROCESSOR_URL")
    if url:
        return url, None
    port = os.environ.get("MOCKPROCESSOR_PYTHON_PORT", "12114")
    if not os.path.exists(DLL):
        sys.exit(f"{DLL} is missing: build first (dotnet build src/MockProcessor -c Release)")
    proc = subprocess.Popen(
        ["dotnet", DLL, "serve", "--port", port, "--in-memory", "--log-level", "Warning", "--webhook-retry", "fast"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as r:
                if r.status == 200:
                    return url, proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    sys.exit("the emulator did not answer /healthz within 30 s")


class Receiver(http.server.BaseHTTPRequestHandler):
    """Records each webhook delivery: its raw body and Stripe-Signature header."""

    deliveries = []
    arrived = threading.Condition()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with Receiver.arrived:
            Receiver.deliveries.append((body, self.headers.get("Stripe-Signature", "")))
            Receiver.arrived.notify_all()
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


def wait_for(event_type, object_id, timeout=20):
    deadline = time.time() + timeout
    with Receiver.arrived:
        while time.time() < deadline:
            for body, signature in Receiver.deliveries:
                payload = json.loads(body)
                if payload["type"] == event_type and payload["data"]["object"]["id"] == object_id:
                    return body, signature
            Receiver.arrived.wait(0.5)
    return None, None


def main():
    base, proc = start_emulator()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        run(base, f"http://127.0.0.1:{server.server_address[1]}/webhook")
    except Exception as e:  # an SDK exception is a failed check, not a crash without a summary
        check("no unexpected exception", False, repr(e))
    finally:
        server.shutdown()
        if proc:
            proc.terminate()
            proc.wait(10)
    failed = results.count(False)
    print(f"{results.count(True)} passed, {failed} failed")
    return 1 if failed else 0


def run(base, hook_url):
    stripe.api_base = base
    stripe.api_key = "sk_test_python5_" + secrets.token_hex(6)
    stripe.max_network_retries = 2
    check("stripe-python is 5.0 and sends no Stripe-Version", stripe.version.VERSION.startswith("5.") and stripe.api_version is None,
          stripe.version.VERSION)

    # The account's first request pins its default version, as on Stripe; later calls send no header.
    stripe.Balance.retrieve(stripe_version="2020-08-27")
    endpoint = stripe.WebhookEndpoint.create(url=hook_url, enabled_events=["payment_intent.succeeded", "charge.refunded"])
    check("webhook endpoint secret shown on create", endpoint.secret.startswith("whsec_"), endpoint.secret)

    customer = stripe.Customer.create(email="python@example.com")
    pi = stripe.PaymentIntent.create(amount=2000, currency="usd", customer=customer.id, payment_method="pm_card_visa",
                                     payment_method_types=["card"], confirm=True)
    check("confirm=True (Python's boolean spelling) pays", pi.status == "succeeded", pi.status)
    check("PaymentIntent.charges (the 2020 shape) holds the charge",
          pi.charges.object == "list" and len(pi.charges.data) == 1 and pi.charges.data[0].id == pi.latest_charge
          and pi.charges.data[0].paid is True, pi.get("charges"))

    try:
        stripe.PaymentIntent.create(amount=1500, currency="usd", payment_method="pm_card_chargeDeclinedInsufficientFunds",
                                    payment_method_types=["card"], confirm=True)
        check("a declined card raises CardError", False, "no exception")
    except stripe.error.CardError as e:
        check("a declined card raises CardError with code and decline_code",
              e.code == "card_declined" and e.error.decline_code == "insufficient_funds", (e.code, e.error.decline_code))
        check("the error carries the failed PaymentIntent",
              e.error.payment_intent["status"] == "requires_payment_method" and e.http_status == 402, e.error.payment_intent)

    refund = stripe.Refund.create(payment_intent=pi.id, amount=500)
    charge = stripe.Charge.retrieve(pi.latest_charge)
    check("a partial refund succeeds", refund.status == "succeeded" and charge.amount_refunded == 500,
          (refund.status, charge.amount_refunded))
    check("Charge.refunds (included before 2022-11-15) lists it",
          [r.id for r in charge.refunds.data] == [refund.id], charge.get("refunds"))

    charges = stripe.Charge.list(customer=customer.id, expand=["data.balance_transaction", "data.customer"])
    first = charges.data[0]
    check("a list with expand renders the expanded objects",
          first.balance_transaction.object == "balance_transaction" and first.customer.email == "python@example.com",
          (first.balance_transaction, first.customer))
    ids = [c.id for c in stripe.Charge.list(limit=1).auto_paging_iter()]
    check("auto-paging walks every charge, newest first", len(ids) == 2 and ids[1] == pi.latest_charge, ids)

    body, signature = wait_for("payment_intent.succeeded", pi.id)
    check("the webhook arrives", body is not None)
    if body is not None:
        event = stripe.Webhook.construct_event(body.decode("utf-8"), signature, endpoint.secret)
        check("construct_event verifies the signature",
              event.type == "payment_intent.succeeded" and event.data.object.id == pi.id, event.type)
        check("the event renders in the account's version",
              event.api_version == "2020-08-27" and event.data.object.charges.data[0].id == pi.latest_charge, event.api_version)
        try:
            stripe.Webhook.construct_event(body.decode("utf-8").replace("succeeded", "failed"), signature, endpoint.secret)
            check("a tampered payload is rejected", False, "verified")
        except stripe.error.SignatureVerificationError:
            check("a tampered payload is rejected", True)


if __name__ == "__main__":
    sys.exit(main())
