-- wrk script for bench/store_load.sh: POST /v1/quotes/{id}/bind for the issued quote ids of the
-- file given after "--" (one per line), each thread its own share, each with an Idempotency-Key;
-- or, with "issue" as the file, issue-then-bind pairs (one connection per thread: a bind follows
-- its issue's response). Prints the run as one JSON line, as bench/http_post.lua does; in
-- "issue" mode also the latency of whole pairs, from sending the issue to the bind's response
-- (wrk's own latency is per request), timed with clock_gettime(CLOCK_MONOTONIC) through
-- LuaJIT's FFI.

local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } cybercover_timespec;
  int clock_gettime(int clock_id, cybercover_timespec *tp);
]]
local timespec = ffi.new("cybercover_timespec")
local function now_us()
  ffi.C.clock_gettime(1, timespec)  -- CLOCK_MONOTONIC
  return tonumber(timespec.tv_sec) * 1000000 + tonumber(timespec.tv_nsec) / 1000
end

local threads = {}
local counter = 0

function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  mode = args[1]
  stride = tonumber(args[2] or "1")
  start_date = args[3] or "2026-12-20"
  ids = {}
  if mode ~= "issue" then
    for line in io.lines(mode) do ids[#ids + 1] = line end
  else
    local f = assert(io.open(args[4], "rb"))
    issue_body = f:read("*a")
    f:close()
  end
  next_id = index + 1
  pending = nil
  awaiting = nil  -- "issue" or "bind": what the connection's request in flight is
  pair_started = nil
  pair_us = {}  -- every completed pair's latency, read by done() through thread:get
  bind_body = '{"start_date":"' .. start_date .. '"}'
end

function request()
  local headers = {["Content-Type"] = "application/json"}
  if mode == "issue" then
    if pending then
      local id = pending
      pending = nil
      headers["Idempotency-Key"] = "bench-" .. id
      awaiting = "bind"
      return wrk.format("POST", "/v1/quotes/" .. id .. "/bind", headers, bind_body)
    end
    awaiting = "issue"
    pair_started = now_us()
    return wrk.format("POST", "/v1/quotes/issue", headers, issue_body)
  end
  local id = ids[next_id]
  next_id = next_id + stride
  if not id then id = "q-exhausted" end
  headers["Idempotency-Key"] = "bench-" .. id
  return wrk.format("POST", "/v1/quotes/" .. id .. "/bind", headers, bind_body)
end

function response(status, headers, body)
  if mode ~= "issue" then return end
  if awaiting == "issue" and status == 201 then
    pending = body:match('"id":"(q%-[0-9a-f]+)"')  -- its bind goes next
  elseif awaiting == "bind" and (status == 201 or status == 200) and pair_started then
    pair_us[#pair_us + 1] = now_us() - pair_started
  end
  awaiting = nil
end

-- The p-th percentile (nearest rank) of a sorted list.
local function percentile(sorted, p)
  if #sorted == 0 then return 0 end
  return sorted[math.max(1, math.ceil(#sorted * p / 100))]
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local pairs_line = ""
  local all = {}
  for _, t in ipairs(threads) do
    if t:get("mode") == "issue" then
      for _, us in ipairs(t:get("pair_us") or {}) do all[#all + 1] = us end
    end
  end
  if #all > 0 then
    table.sort(all)
    pairs_line = string.format(', "pairs": %d, "pair_p50_us": %d, "pair_p90_us": %d, "pair_p99_us": %d, "pair_max_us": %d',
                               #all, percentile(all, 50), percentile(all, 90), percentile(all, 99), all[#all])
  end
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "requests_per_s": %.1f, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}%s}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, summary.bytes,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status,
    summary.errors.timeout, pairs_line))
end
