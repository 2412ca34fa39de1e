-- Queues, leases and their ends.

local function num(x)
    return string.format('%.0f', x) -- Lua prints numbers with 14 digits; scores need up to 16
end

local function note_worker(delta)
    redis.call('ZADD', C .. ':workers', num(now), worker)
    if delta ~= 0 then
        redis.call('HINCRBY', C .. ':wl', worker, delta)
    end
end

local function queue(h, score, member)
    redis.call('ZADD', C .. ':q:' .. h, score, member)
    count('pending', 1)
    touch(host(h))
end

-- Adds the requests of ARGV[i...], `n` of them, 6 fields each: seen bucket, fingerprint (an
-- integer within the bucket), dont_filter (0/1), host, priority, request. Returns 1/0 flags.
local function enqueue(i, n)
    local fresh = {}
    for r = 0, n - 1 do
        local a = i + 6 * r
        local new = redis.call('SADD', C .. ':s:' .. ARGV[a], ARGV[a + 1]) == 1
        if new then
            count('seen', 1)
        end
        if new or ARGV[a + 2] == '1' then
            local seq = redis.call('INCR', C .. ':seq')
            queue(ARGV[a + 3], num(score_of(tonumber(ARGV[a + 4]), seq)), seq .. '\t' .. ARGV[a + 5])
            fresh[#fresh + 1] = 1
        else
            fresh[#fresh + 1] = 0
        end
    end
    return fresh
end

-- Ends the lease `tok` (its record `rec`): the host's place frees unless async_fetched freed it
-- (with outcome `o`, or as abandoned when nil). Returns the host and the record's fields.
local function end_lease(tok, rec, o)
    local f = split(rec, 4) -- score, worker, host, member
    redis.call('HDEL', C .. ':ld', tok)
    redis.call('ZREM', C .. ':leases', tok)
    local x = host(f[3])
    if redis.call('SREM', C .. ':fetched', tok) == 0 then
        if o then
            on_finish(x, o)
        else
            abandon(x)
        end
    end
    if x.rb == 1 and x.ro == tonumber(tok) then
        x.rb = 0 -- the lease that opened the host ended without storing robots.txt: open it again
    end
    count('leased', -1)
    if f[2] ~= '' then
        redis.call('HINCRBY', C .. ':wl', f[2], -1)
    end
    touch(x)
    return x, f
end

-- Expired leases go back to pending at their old place.
local function reclaim(limit)
    local due = redis.call('ZRANGEBYSCORE', C .. ':leases', '-inf', num(now), 'LIMIT', 0, limit)
    for _, tok in ipairs(due) do
        local rec = redis.call('HGET', C .. ':ld', tok)
        if rec then
            local x, f = end_lease(tok, rec, nil)
            queue(x.name, f[1], f[4])
            count('expired', 1)
        else
            redis.call('ZREM', C .. ':leases', tok)
        end
    end
end

-- Retries whose not-before time passed join their host's queue.
local function due_retries(limit)
    local due = redis.call('ZRANGEBYSCORE', C .. ':delayed', '-inf', num(now), 'LIMIT', 0, limit)
    for _, m in ipairs(due) do
        local f = split(m, 4) -- seq, host, priority, request
        redis.call('ZREM', C .. ':delayed', m)
        count('delayed', -1)
        queue(f[2], num(score_of(tonumber(f[3]), tonumber(f[1]))), f[1] .. '\t' .. f[4])
    end
end

-- Hosts whose delay or backoff passed become startable.
local function wake_hosts()
    for _, h in ipairs(redis.call('ZRANGEBYSCORE', C .. ':wait', '-inf', num(now))) do
        touch(host(h))
    end
    place_touched()
end

-- ms until the earliest of a waiting host, a lease's expiry and a retry's not-before; -1: none.
local function next_in()
    local best = -1
    for _, key in ipairs({':wait', ':leases', ':delayed'}) do
        local first = redis.call('ZRANGE', C .. key, 0, 0, 'WITHSCORES')
        if #first > 0 then
            local d = math.max(0, tonumber(first[2]) - now)
            if best < 0 or d < best then
                best = d
            end
        end
    end
    return best
end

local ops = {}

-- add: ARGV[3] = n, then the requests (enqueue). Returns the flags.
ops.add = function()
    local fresh = enqueue(4, tonumber(ARGV[3]))
    place_touched()
    return fresh
end

-- lease: ARGV[3] = n, [4] = lease ms, [5] = a random seed in [0, 1).
-- Returns {next_in ms (-1: none), token, host, request, token, host, request, ...}.
ops.lease = function()
    local n, duration = tonumber(ARGV[3]), tonumber(ARGV[4])
    seed(ARGV[5])
    reclaim(100)
    due_retries(1000)
    wake_hosts()
    local out = {0}
    local leased = 0
    while leased < n do
        local best = redis.call('ZRANGE', C .. ':ready', 0, 0)
        if #best == 0 then
            break
        end
        local x = host(best[1])
        local e = redis.call('ZPOPMIN', C .. ':q:' .. x.name)
        if #e == 0 then
            redis.call('ZREM', C .. ':ready', x.name)
        else
            local tok = redis.call('INCR', C .. ':tok')
            redis.call('ZADD', C .. ':leases', num(now + duration), tok)
            redis.call('HSET', C .. ':ld', tok, e[2] .. '\t' .. worker .. '\t' .. x.name .. '\t' .. e[1])
            on_start(x)
            if x.rb == 0 then
                x.rb = 1 -- opening: nothing else of this host until robots.txt is stored
                x.ro = tok
            end
            count('pending', -1)
            count('leased', 1)
            local tab = string.find(e[1], '\t', 1, true)
            out[#out + 1] = tok
            out[#out + 1] = x.name
            out[#out + 1] = string.sub(e[1], tab + 1)
            leased = leased + 1
            place(x)
            touched[x.name] = nil
        end
    end
    note_worker(leased)
    place_touched()
    if leased < n then
        out[1] = next_in()
    end
    return out
end

-- fetched: ARGV[3] = token, [4..7] outcome.
ops.fetched = function()
    local tok = ARGV[3]
    local rec = redis.call('HGET', C .. ':ld', tok)
    if rec and redis.call('SADD', C .. ':fetched', tok) == 1 then
        local f = split(rec, 4)
        local x = host(f[3])
        on_finish(x, outcome_at(4))
        touch(x)
        place_touched()
    end
    return 1
end
