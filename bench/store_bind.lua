-- wrk script for bench/store_load.sh: POST /v1/quotes/{id}/bind for the issued quote ids of the
-- file given after "--" (one per line), each thread its own share, each with an Idempotency-Key;
-- or, with "issue" as the file, issue-then-bind pairs (one connection per thread: a bind follows
-- its issue's response). Prints the run as one JSON line, as bench/http_post.lua does.

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
  bind_body = '{"start_date":"' .. start_date .. '"}'
end

function request()
  local headers = {["Content-Type"] = "application/json"}
  if mode == "issue" then
    if pending then
      local id = pending
      pending = nil
      headers["Idempotency-Key"] = "bench-" .. id
      return wrk.format("POST", "/v1/quotes/" .. id .. "/bind", headers, bind_body)
    end
    return wrk.format("POST", "/v1/quotes/issue", headers, issue_body)
  end
  local id = ids[next_id]
  next_id = next_id + stride
  if not id then id = "q-exhausted" end
  headers["Idempotency-Key"] = "bench-" .. id
  return wrk.format("POST", "/v1/quotes/" .. id .. "/bind", headers, bind_body)
end

function response(status, headers, body)
  if mode == "issue" and status == 201 then
    pending = body:match('"id":"(q%-[0-9a-f]+)"')
  end
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "requests_per_s": %.1f, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "bytes": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, summary.bytes,
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status,
    summary.errors.timeout))
end
