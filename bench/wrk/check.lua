-- wrk script of the consent-check benchmark's cross-check (bench/consent-check.sh).
--
-- With WRK_TOKEN set: POSTs consent checks with that bearer token, each for a resident drawn
-- at random from the file WRK_POPULATION (one resident number a line) and a (system, purpose)
-- drawn from WRK_TARGETS (`system purpose` a line). Without it: the plain GET of the URL.
--
-- Its last line is machine-readable, like loadgen's:
--   WRKRESULT rps=… p50_us=… p99_us=… p999_us=… max_us=… errors=… all_ok=…
-- where rps counts 2xx answers only, errors counts non-2xx answers and socket errors, and
-- all_ok counts every 2xx (each one a logged decision).

local token = os.getenv("WRK_TOKEN")
local residents, targets = {}, {}
local threads = {}
ok = 0

local function lines(path)
  local out = {}
  local f = path and io.open(path, "r")
  if f then
    for line in f:lines() do
      if #line > 0 then out[#out + 1] = line end
    end
    f:close()
  end
  return out
end

function setup(thread)
  thread:set("id", #threads + 1)
  threads[#threads + 1] = thread
end

function init(args)
  if token and #token > 0 then
    residents = lines(os.getenv("WRK_POPULATION"))
    for _, line in ipairs(lines(os.getenv("WRK_TARGETS"))) do
      local system, purpose = line:match("^(%S+)%s+(%S+)$")
      if system then targets[#targets + 1] = { system, purpose } end
    end
    if #residents == 0 or #targets == 0 then
      error("WRK_POPULATION and WRK_TARGETS must name non-empty files")
    end
    math.randomseed(os.time() + (id or 0))
  end
end

function request()
  if not token or #token == 0 then
    return wrk.format("GET", nil, { ["Accept"] = "application/json" })
  end
  local subject = residents[math.random(#residents)]
  local t = targets[math.random(#targets)]
  local body = string.format('{"subject":"%s","system":"%s","purpose":"%s"}', subject, t[1], t[2])
  return wrk.format("POST", nil, {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json",
  }, body)
end

function response(status, headers, body)
  if status >= 200 and status < 300 then ok = ok + 1 end
end

function done(summary, latency, requests)
  local all_ok = 0
  for _, thread in ipairs(threads) do
    all_ok = all_ok + (thread:get("ok") or 0)
  end
  local e = summary.errors
  local socket_errors = e.connect + e.read + e.write + e.timeout
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "WRKRESULT rps=%.1f p50_us=%d p99_us=%d p999_us=%d max_us=%d errors=%d all_ok=%d\n",
    all_ok / seconds, latency:percentile(50), latency:percentile(99), latency:percentile(99.9),
    latency.max, e.status + socket_errors, all_ok))
end
