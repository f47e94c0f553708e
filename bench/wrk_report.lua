-- wrk script: rotate through the paths in $WRK_PATHS (separated by "|"), send $WRK_HEADERS
-- ("Name: value" pairs separated by "|"), and print one JSON line with throughput,
-- latency percentiles (ms) and errors.
local paths = {}
for p in string.gmatch(os.getenv("WRK_PATHS") or "/", "[^|]+") do table.insert(paths, p) end
local extra = {}
for h in string.gmatch(os.getenv("WRK_HEADERS") or "", "[^|]+") do
  local name, value = string.match(h, "^%s*([^:]+):%s*(.*)$")
  if name then extra[name] = value end
end
local counter = 0

request = function()
  counter = counter + 1
  local path = paths[(counter % #paths) + 1]
  return wrk.format("GET", path, extra)
end

local non2xx = 0
response = function(status, headers, body)
  if status < 200 or status >= 300 then non2xx = non2xx + 1 end
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout
  io.write(string.format(
    '{"requests": %d, "seconds": %.2f, "rps": %.1f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, "max_ms": %.2f, "errors": %d, "non2xx": %d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, errors, summary.errors.status))
end
