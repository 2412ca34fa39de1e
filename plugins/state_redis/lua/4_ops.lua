-- The other operations, and the dispatch.

-- The record of lease `tok`, or nil (counted stale) when it is not current.
local function current_lease(tok)
    local rec = redis.call('HGET', C .. ':ld', tok)
    if not rec then
        count('stale', 1)
    end
    return rec
end

-- complete: ARGV[3] = token, [4..7] outcome, [8] = "done" | "failed", [9] = item count, the
-- items, then the discovered count and the requests (enqueue). "STALE" when not current.
ops.complete = function()
    local tok = ARGV[3]
    local rec = current_lease(tok)
    if not rec then
        return 'STALE'
    end
    end_lease(tok, rec, outcome_at(4))
    if ARGV[8] == 'done' then
        count('done', 1)
    else
        count('failed', 1)
    end
    local items = tonumber(ARGV[9])
    for i = 1, items do
        redis.call('XADD', C .. ':items', '*', 't', tok, 'v', ARGV[9 + i])
    end
    count('items', items)
    local links = 10 + items
    enqueue(links + 1, tonumber(ARGV[links]))
    note_worker(0)
    place_touched()
    return 'OK'
end

-- retry: ARGV[3] = token, [4..7] outcome, [8] = not-before ms, [9] = priority, [10] = request.
ops.retry = function()
    local tok = ARGV[3]
    local rec = current_lease(tok)
    if not rec then
        return 'STALE'
    end
    local x = end_lease(tok, rec, outcome_at(4))
    local seq = redis.call('INCR', C .. ':seq')
    local not_before = tonumber(ARGV[8])
    if not_before <= 0 then
        queue(x.name, num(score_of(tonumber(ARGV[9]), seq)), seq .. '\t' .. ARGV[10])
    else
        redis.call('ZADD', C .. ':delayed', num(now + not_before),
                   seq .. '\t' .. x.name .. '\t' .. ARGV[9] .. '\t' .. ARGV[10])
        count('delayed', 1)
    end
    note_worker(0)
    place_touched()
    return 'OK'
end

-- release: ARGV[3...] = tokens. Pending again at their old place.
ops.release = function()
    for i = 3, #ARGV do
        local rec = current_lease(ARGV[i])
        if rec then
            local x, f = end_lease(ARGV[i], rec, nil)
            queue(x.name, f[1], f[4])
        end
    end
    place_touched()
    return 1
end

-- extend: ARGV[3] = ms, [4...] = tokens. One 1/0 per token.
ops.extend = function()
    local until_ms = num(now + tonumber(ARGV[3]))
    local out = {}
    for i = 4, #ARGV do
        if redis.call('HEXISTS', C .. ':ld', ARGV[i]) == 1 then
            redis.call('ZADD', C .. ':leases', 'XX', until_ms, ARGV[i])
            out[#out + 1] = 1
        else
            count('stale', 1)
            out[#out + 1] = 0
        end
    end
    note_worker(0)
    return out
end

local counter_names = {'pending', 'leased', 'delayed', 'done', 'failed', 'expired', 'stale', 'seen', 'items'}

-- counters: the counters in counter_names' order, then 1/0 for finished.
ops.counters = function()
    local v = redis.call('HMGET', C .. ':n', unpack(counter_names))
    local out = {}
    for i = 1, #counter_names do
        out[i] = tonumber(v[i]) or 0
    end
    local finished = 0
    if out[1] == 0 and out[2] == 0 and out[3] == 0 then
        finished = 1
    end
    out[#out + 1] = finished
    return out
end

-- set_min_delay: ARGV[3] = host, [4] = ms (robots.txt Crawl-delay).
ops.set_min_delay = function()
    local x = host(ARGV[3])
    local d = tonumber(ARGV[4])
    x.mind = math.max(x.mind, d)
    x.cd = math.max(x.cd, d)
    x.d = math.max(x.d, x.mind)
    touch(x)
    place_touched()
    return 1
end

-- back_off: ARGV[3] = host, [4] = ms.
ops.back_off = function()
    local x = host(ARGV[3])
    x.bos = x.bos + 1
    hold(x, tonumber(ARGV[4]))
    touch(x)
    place_touched()
    return 1
end

-- busiest: ARGV[3] = n. Per host: name, pending, in flight, concurrency, delay ms, backoffs,
-- backoff left ms (-1: none).
ops.busiest = function()
    local out = {}
    for _, h in ipairs(redis.call('ZREVRANGE', C .. ':load', 0, tonumber(ARGV[3]) - 1)) do
        local x = host(h)
        local left = -1
        if x.hu > now then
            left = x.hu - now
        end
        for _, v in ipairs({h, redis.call('ZCARD', C .. ':q:' .. h), x.inf, x.lim, x.d, x.bos, left}) do
            out[#out + 1] = v
        end
    end
    return out
end

-- robots: ARGV[3] = origin, [4] = claim ms. {1, file, fresh ms} | {2} (fetch it) | {3, ask again ms}.
ops.robots = function()
    local key = C .. ':rb:' .. ARGV[3]
    local file = redis.call('GET', key)
    if file then
        return {1, file, math.max(0, redis.call('PTTL', key))}
    end
    local claim = C .. ':rc:' .. ARGV[3]
    if redis.call('SET', claim, worker, 'NX', 'PX', ARGV[4]) then
        return {2}
    end
    return {3, math.max(1, math.min(100, redis.call('PTTL', claim)))}
end

-- store_robots: ARGV[3] = origin, [4] = host, [5] = "<status>\n<body>", [6] = ttl ms.
ops.store_robots = function()
    redis.call('SET', C .. ':rb:' .. ARGV[3], ARGV[5], 'PX', math.max(1, tonumber(ARGV[6])))
    redis.call('DEL', C .. ':rc:' .. ARGV[3])
    local x = host(ARGV[4])
    x.rb = 2
    touch(x)
    place_touched()
    return 1
end

-- release_robots: ARGV[3] = origin. Drops this worker's claim to fetch it (it was unreachable)
-- so the next robots call may claim it at once; another worker's claim is left alone.
ops.release_robots = function()
    local claim = C .. ':rc:' .. ARGV[3]
    if redis.call('GET', claim) == worker then
        redis.call('DEL', claim)
    end
    return 1
end

-- workers: {worker, ms since seen, leases held, ...}, most recent first; forgets workers silent for a day.
ops.workers = function()
    redis.call('ZREMRANGEBYSCORE', C .. ':workers', '-inf', num(now - 86400000))
    local out = {}
    local w = redis.call('ZREVRANGE', C .. ':workers', 0, -1, 'WITHSCORES')
    for i = 1, #w, 2 do
        out[#out + 1] = w[i]
        out[#out + 1] = math.max(0, now - tonumber(w[i + 1]))
        out[#out + 1] = tonumber(redis.call('HGET', C .. ':wl', w[i]) or '0')
    end
    return out
end

-- open: ARGV[3] = 1 to write the politeness settings that follow as name/value pairs.
-- Returns {1 if the crawl existed before, the last token}.
ops.open = function()
    local existed = redis.call('EXISTS', C .. ':n') == 1
    if ARGV[3] == '1' and #ARGV > 3 then
        redis.call('HSET', C .. ':cfg', unpack(ARGV, 4))
    end
    if not existed and ARGV[3] == '1' then
        redis.call('HSET', C .. ':n', 'pending', 0) -- a crawl exists once a worker opened it (status does not create one)
    end
    local e = 0
    if existed then
        e = 1
    end
    return {e, tonumber(redis.call('GET', C .. ':tok') or '0')}
end

local f = ops[op]
if not f then
    return redis.error_reply('weft crawl state: unknown operation ' .. tostring(op))
end
return f()
