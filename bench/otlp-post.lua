-- wrk script: POSTs pre-generated OTLP bodies (length-prefixed file in $BENCH_BODIES), each wrk thread its own
-- share, so that no two requests carry the same usage; without $BENCH_BODIES it GETs /health, the floor (no work).
-- With $BENCH_PAUSE_MS each connection waits that long on average between a response and its next request (wrk
-- delays in whole milliseconds, so a fractional mean alternates between the two nearest): a paced load, lighter on
-- the shared CPU than any other client we have. $BENCH_PATH is where bodies go (default /v1/metrics); $BENCH_FIRST
-- and $BENCH_COUNT, the bodies of the file this run sends (default all; another run's bodies again would be retries,
-- not new usage: a run that runs out of its bodies and starts over says so at its end).
local next_id = 0
local threads = {}

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  threads[#threads + 1] = thread
end

-- Keeps only this thread's share (every step-th body from its id) of the bodies from the first-th on, count of them
-- at most (0: to the end), read one at a time: a file of a few hundred thousand bodies is never held whole.
local function load(path, id, step, first, count)
  local f = assert(io.open(path, "rb"))
  local bodies, k = {}, 0
  while count == 0 or k < first + count do
    local prefix = f:read(4)
    if not prefix or #prefix < 4 then break end
    local b1, b2, b3, b4 = prefix:byte(1, 4)
    local len = ((b1 * 256 + b2) * 256 + b3) * 256 + b4
    if k >= first and k % step == id then
      bodies[#bodies + 1] = f:read(len)
    else
      f:seek("cur", len)
    end
    k = k + 1
  end
  f:close()
  return bodies
end

function init(args)
  if (os.getenv("BENCH_BODIES") or "") == "" then
    health = wrk.format("GET", "/health")
    return
  end
  step = tonumber(os.getenv("BENCH_THREADS"))
  bodies = load(os.getenv("BENCH_BODIES"), id, step, tonumber(os.getenv("BENCH_FIRST") or "") or 0,
    tonumber(os.getenv("BENCH_COUNT") or "") or 0)
  assert(#bodies > 0, "no bodies in " .. os.getenv("BENCH_BODIES") .. " from BENCH_FIRST on")
  index = 0
  path = os.getenv("BENCH_PATH") or ""
  if path == "" then path = "/v1/metrics" end
  headers = { ["Content-Type"] = os.getenv("BENCH_CONTENT_TYPE") }
  local encoding = os.getenv("BENCH_CONTENT_ENCODING")
  if encoding and encoding ~= "" then headers["Content-Encoding"] = encoding end
end

function request()
  if health then return health end
  local body = bodies[(index % #bodies) + 1]
  index = index + 1
  if index > #bodies then wrapped = true end
  return wrk.format("POST", path, headers, body)
end

function done()
  for _, thread in ipairs(threads) do
    if thread:get("wrapped") then
      io.write("bodies ran out: this run sent some again, retries rather than new usage\n")
      return
    end
  end
end

local pause = tonumber(os.getenv("BENCH_PAUSE_MS") or "0")
if pause > 0 then
  function delay()
    local low = math.floor(pause)
    if math.random() < pause - low then return low + 1 end
    return low
  end
end
