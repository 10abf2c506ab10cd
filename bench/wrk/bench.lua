-- The one wrk script of the bench (bench/load.py writes its request file).
--
--   wrk -t2 -c32 -d10s --latency -s bench/wrk/bench.lua http://127.0.0.1:PORT -- REQUEST_FILE
--
-- The request file, one "key<TAB>value" per line:
--   method, path, body (optional), expect (the status of a success), threads (wrk's -t),
--   offset (the number of the first request: a later run never repeats an earlier's),
--   session<TAB>COOKIE HEADER<TAB>FORM TOKEN (any number; requests take them in turn),
--   event<TAB>ID (any number; replaces {event} in the path, never the same account twice
--   on the same event before every pair has been used, never twice in a row the same event),
--   pace<TAB>MS (optional: each connection waits MS ms before each request; the smoke run's
--   light load).
-- In the body, {csrf} becomes the session's form token, {uuid} a fresh idempotency key and
-- {n} the request's number. done() prints one line "BENCH_JSON {...}" for bench/load.py.

local threads = {}
local CODES = { 200, 201, 204, 301, 302, 303, 304, 400, 403, 404, 405, 429, 500, 502, 503 }

function setup(thread)
   thread:set("id", #threads)
   table.insert(threads, thread)
end

function init(args)
   method, path, body, expect, nthreads, offset, pace = "GET", "/", nil, 200, 1, 0, 0
   sessions, events = {}, {}
   for line in io.lines(args[1]) do
      local key, value = line:match("^([%w_]+)\t(.*)$")
      if key == "method" then
         method = value
      elseif key == "path" then
         path = value
      elseif key == "body" then
         body = value
      elseif key == "expect" then
         expect = tonumber(value)
      elseif key == "threads" then
         nthreads = tonumber(value)
      elseif key == "offset" then
         offset = tonumber(value)
      elseif key == "pace" then
         pace = tonumber(value)
      elseif key == "session" then
         local cookie, token = value:match("^([^\t]*)\t?([^\t]*)$")
         table.insert(sessions, { cookie, token })
      elseif key == "event" then
         table.insert(events, value)
      end
   end
   -- wrk calls request() once on the first thread to check it, and never sends that one.
   counter = (id == 0) and -1 or 0
   expected, unexpected = 0, 0
   math.randomseed(1000003 * (id + 1) + os.time())
end

local function uuid4()
   return string.format(
      "%08x-%04x-4%03x-%04x-%06x%06x",
      math.random(0, 0x7fffffff), math.random(0, 0xffff), math.random(0, 0xfff),
      0x8000 + math.random(0, 0x3fff), math.random(0, 0xffffff), math.random(0, 0xffffff)
   )
end

function request()
   local i = offset + id + nthreads * counter
   counter = counter + 1
   local headers, token, p, b = {}, "", path, body
   local turn = i
   if #events > 0 and p:find("{event}", 1, true) then
      -- Consecutive requests go to different events; a pair repeats after #events × #sessions.
      p = p:gsub("{event}", events[(i % #events) + 1])
      turn = math.floor(i / #events)
   end
   if #sessions > 0 then
      local session = sessions[(turn % #sessions) + 1]
      if session[1] ~= "" then
         headers["Cookie"] = session[1]
      end
      token = session[2]
   end
   if b then
      b = b:gsub("{csrf}", token):gsub("{uuid}", uuid4()):gsub("{n}", tostring(i))
      headers["Content-Type"] = "application/x-www-form-urlencoded"
   end
   return wrk.format(method, p, headers, b)
end

function delay()
   return pace
end

function response(status, headers, body)
   if status == expect then
      expected = expected + 1
   else
      unexpected = unexpected + 1
   end
   local key = "s" .. status
   _G[key] = (_G[key] or 0) + 1
end

function done(summary, latency, requests)
   local good, bad = 0, 0
   local statuses = {}
   for _, thread in ipairs(threads) do
      good = good + (thread:get("expected") or 0)
      bad = bad + (thread:get("unexpected") or 0)
   end
   for _, code in ipairs(CODES) do
      local total = 0
      for _, thread in ipairs(threads) do
         total = total + (thread:get("s" .. code) or 0)
      end
      if total > 0 then
         table.insert(statuses, string.format('"%d": %d', code, total))
      end
   end
   local errors = summary.errors
   io.write(string.format(
      'BENCH_JSON {"requests": %d, "duration_us": %d, "expected": %d, "unexpected": %d, '
         .. '"socket_errors": %d, "timeouts": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, '
         .. '"max_us": %d, "statuses": {%s}}\n',
      summary.requests, summary.duration, good, bad,
      errors.connect + errors.read + errors.write, errors.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
      table.concat(statuses, ", ")
   ))
end
