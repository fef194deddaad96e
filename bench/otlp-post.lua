-- wrk script: POSTs pre-generated OTLP bodies (length-prefixed file in $BENCH_BODIES), each wrk thread its own
-- share, so that no two requests carry the same usage; without $BENCH_BODIES it GETs /health, the floor (no work).
-- With $BENCH_PAUSE_MS each connection waits that long on average between a response and its next request (wrk
-- delays in whole milliseconds, so a fractional mean alternates between the two nearest): a paced load, lighter on
-- the shared CPU than any other client we have. $BENCH_PATH is where bodies go (default /v1/metrics); $BENCH_FIRST,
-- where in the file the bodies start (default 0: another run's bodies again would be retries, not new usage).
local next_id = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

local function load(path)
  local f = assert(io.open(path, "rb"))
  local data = f:read("*a")
  f:close()
  local bodies, pos = {}, 1
  while pos <= #data do
    local b1, b2, b3, b4 = data:byte(pos, pos + 3)
    local len = ((b1 * 256 + b2) * 256 + b3) * 256 + b4
    bodies[#bodies + 1] = data:sub(pos + 4, pos + 3 + len)
    pos = pos + 4 + len
  end
  return bodies
end

function init(args)
  if (os.getenv("BENCH_BODIES") or "") == "" then
    health = wrk.format("GET", "/health")
    return
  end
  bodies = load(os.getenv("BENCH_BODIES"))
  step = tonumber(os.getenv("BENCH_THREADS"))
  index = id + (tonumber(os.getenv("BENCH_FIRST") or "") or 0)
  path = os.getenv("BENCH_PATH") or ""
  if path == "" then path = "/v1/metrics" end
  headers = { ["Content-Type"] = os.getenv("BENCH_CONTENT_TYPE") }
  local encoding = os.getenv("BENCH_CONTENT_ENCODING")
  if encoding and encoding ~= "" then headers["Content-Encoding"] = encoding end
end

function request()
  if health then return health end
  index = index + step
  return wrk.format("POST", path, headers, bodies[(index % #bodies) + 1])
end

local pause = tonumber(os.getenv("BENCH_PAUSE_MS") or "0")
if pause > 0 then
  function delay()
    local low = math.floor(pause)
    if math.random() < pause - low then return low + 1 end
    return low
  end
end
