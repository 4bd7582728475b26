-- wrk script: POST a Stripe form body with a bearer key. Usage:
--   wrk -t2 -c16 -d30s -s post-form.lua http://127.0.0.1:12111/v1/payment_intents -- "amount=2000&currency=usd&confirm=true&payment_method=pm_card_visa"
local body = "name=bench"
local key = os.getenv("BENCH_KEY") or "sk_test_bench"
function init(args)
  if args[1] ~= nil then body = args[1] end
end
function request()
  return wrk.format("POST", nil, {
    ["Authorization"] = "Bearer " .. key,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end
