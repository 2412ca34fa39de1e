#!lua
-- weft's crawl state on Redis (docs/ARCHITECTURE.md, "The crawl state on Redis").
--
-- The shebang above makes Redis 7 refuse the whole call up front when it is out of memory,
-- rather than fail at the first write inside the script with the writes before it kept: a
-- call is all or nothing.
--
-- One script, loaded once (EVALSHA); ARGV[1] names the operation, ARGV[2] the calling worker.
-- Each call is one atomic step on the server. The files of plugins/state_redis/lua/ are joined
-- in name order into this one script (CMakeLists.txt).
--
-- Keys: KEYS[1] is the crawl's prefix "{ID}" (a hash tag: every key of a crawl lives in one
-- slot, so the script runs unchanged on a Redis Cluster node). Under it:
--   :cfg      HASH   politeness settings (per_host, delay, ...), written by the workers' open
--   :n        HASH   counters: pending leased delayed done failed expired stale seen items
--   :seq      STRING the queue sequence (FIFO among equal priorities)
--   :tok      STRING lease tokens (INCR: the fencing token, never handed out twice)
--   :s:<b>    SET    seen fingerprints of bucket b (integers: an intset, 8 bytes each)
--   :q:<host> ZSET   pending requests of a host; member "<seq>\t<request>",
--                    score -priority * 2^32 + seq
--   :h:<host> HASH   the host's controller (the same rules as state/host_controller.cpp)
--   :ready    ZSET   hosts that may start one now, by their best request's score
--   :wait     ZSET   hosts with pending work held by delay or backoff, by when they may start
--   :load     ZSET   hosts by pending + in flight (the busiest hosts)
--   :leases   ZSET   token -> expiry (server ms)
--   :ld       HASH   token -> "<score>\t<worker>\t<host>\t<member>"
--   :fetched  SET    tokens whose fetch is over (their host's place already freed)
--   :delayed  ZSET   retries by their not-before time; member "<seq>\t<host>\t<priority>\t<request>"
--   :items    STREAM the items, appended only by a current completion (fields t: token, v: item)
--   :rb:<origin> STRING robots.txt "<status>\n<body>", expiring with its cache lifetime
--   :rc:<origin> STRING a worker's claim to fetch that robots.txt, expiring
--   :workers  ZSET   worker -> last seen (server ms);  :wl HASH worker -> leases held
--
-- Times are the server's (TIME): workers pass and receive durations only.
local C = KEYS[1]
local op = ARGV[1]
local worker = ARGV[2]
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)

local two32 = 4294967296
local max_priority = 1048576 -- |priority| is clamped to 2^20 so that scores stay exact doubles

local cfg = {}
do
    local raw = redis.call('HGETALL', C .. ':cfg')
    for i = 1, #raw, 2 do
        cfg[raw[i]] = tonumber(raw[i + 1])
    end
end

local function count(field, n)
    if n ~= 0 then
        redis.call('HINCRBY', C .. ':n', field, n)
    end
end

local function score_of(priority, seq)
    local p = math.max(-max_priority, math.min(max_priority, priority))
    return -p * two32 + seq
end

-- Splits s at tabs into at most `parts` fields (the last keeps any further tabs).
local function split(s, parts)
    local out = {}
    local from = 1
    for _ = 1, parts - 1 do
        local tab = string.find(s, '\t', from, true)
        out[#out + 1] = string.sub(s, from, tab - 1)
        from = tab + 1
    end
    out[#out + 1] = string.sub(s, from)
    return out
end

-- A small generator for the delay's jitter, seeded by the worker (scripts get no randomness of
-- their own that replicates).
local rng_state = 0
local function seed(x)
    rng_state = math.floor((tonumber(x) or 0) * 2147483646) % 2147483647 + 1
end
local function uniform()
    rng_state = (rng_state * 48271) % 2147483647
    return rng_state / 2147483647
end
