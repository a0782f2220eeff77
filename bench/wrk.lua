-- One endpoint under load, configured by bench/run.py through environment variables:
--   BENCH_METHOD  GET or POST            BENCH_PATH   the path to load
--   BENCH_COOKIE  the session cookies    BENCH_CSRF   the CSRF token for POST bodies
--   BENCH_BODY    a form body; {uuid} becomes a fresh UUID per request (a note's submission id)
--   BENCH_HTMX    "1": send HX-Request, as htmx does (the checklist's one tap)
--   BENCH_COLD_DAYS  comma-separated dates: each request adds the next as ?to=, so every
--                    request asks for a chart nobody has drawn yet (a cold render)
-- Run with one thread (-t1) so the day counter is shared by all connections.
-- done() prints one line starting BENCH_RESULT with JSON for the harness.

local method = os.getenv("BENCH_METHOD") or "GET"
local path = os.getenv("BENCH_PATH") or "/"
local cookie = os.getenv("BENCH_COOKIE") or ""
local csrf = os.getenv("BENCH_CSRF") or ""
local body = os.getenv("BENCH_BODY") or ""
local htmx = os.getenv("BENCH_HTMX") == "1"
local days = {}
for day in string.gmatch(os.getenv("BENCH_COLD_DAYS") or "", "[^,]+") do
  days[#days + 1] = day
end
local sent = 0

math.randomseed(os.time())

local function uuid4()
  return (string.gsub("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", "[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end))
end

function request()
  local headers = { ["Cookie"] = cookie }
  if htmx then
    headers["HX-Request"] = "true"
  end
  local target = path
  if #days > 0 then
    sent = sent + 1
    target = path .. "?to=" .. days[((sent - 1) % #days) + 1]
  end
  if method == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    local form = string.gsub(body, "{uuid}", uuid4()) .. "&csrfmiddlewaretoken=" .. csrf
    return wrk.format("POST", target, headers, form)
  end
  return wrk.format("GET", target, headers)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "status_errors": %d, "connect_errors": %d, '
      .. '"read_errors": %d, "write_errors": %d, "timeouts": %d, "p50_us": %d, "p99_us": %d, '
      .. '"mean_us": %.1f, "max_us": %d}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean, latency.max
  ))
end
