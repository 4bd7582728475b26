-- wrk script: POST a Stripe form body with a bearer key. Usage:
--   wrk -t2 -c16 -d30s -s post-form.lua http://127.0.0.1:12111/v1/payment_intents -- "amount=2000&currency=usd&confirm=true&payment_method=pm_card_visa"
-- BENCH_KEY names the key (default sk_test_bench). BENCH_MERCHANTS=N spreads requests round-robin over N
-- auto-provisioned merchants (<key>_1 .. <key>_N), as many CI runners sharing one emulator would.
local body = "name=bench"
local key = os.getenv("BENCH_KEY") or "sk_test_bench"
local merchants = tonumber(os.getenv("BENCH_MERCHANTS") or "0")
local n = 0
function init(args)
  if args[1] ~= nil then body = args[1] end
  n = math.random(0, 1000)
end
function request()
  local k = key
  if merchants > 0 then
    n = n + 1
    k = key .. "_" .. ((n % merchants) + 1)
  end
  return wrk.format("POST", nil, {
    ["Authorization"] = "Bearer " .. k,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, body)
end
