-- The per-host controller: the rules of framework/src/state/host_controller.cpp, field for field
-- (that file's comment states them precisely), kept in :h:<host>. Hosts are loaded once per call
-- into `hosts`, changed in Lua, and written back with place() deciding which set they belong to.

local hosts = {}   -- name -> controller table, for this call
local touched = {} -- names changed in this call, placed and saved at its end

local host_fields = {'lim', 'inf', 'mind', 'cd', 'd', 'bo', 'bos', 'ns', 'hu', 'g', 'hl', 'le', 'lf', 'ldec', 'rb', 'ro'}

local function new_host()
    local d = cfg.delay
    if cfg.at == 1 then
        d = math.max(cfg.delay, cfg.at_start)
    end
    local robots = 2 -- ready
    if cfg.robots == 1 then
        robots = 0 -- unknown: the first lease opens it (fetches robots.txt)
    end
    return {lim = math.max(1, cfg.per_host), inf = 0, mind = cfg.delay, cd = 0, d = d, bo = 0, bos = 0, ns = 0,
            hu = 0, g = 0, hl = 0, le = 0, lf = 0, ldec = -1, rb = robots, ro = 0}
end

local function host(name)
    local x = hosts[name]
    if x then
        return x
    end
    local raw = redis.call('HGETALL', C .. ':h:' .. name)
    if #raw == 0 then
        x = new_host()
    else
        x = {}
        for i = 1, #raw, 2 do
            x[raw[i]] = tonumber(raw[i + 1])
        end
    end
    x.name = name
    hosts[name] = x
    return x
end

local function touch(x)
    touched[x.name] = x
end

-- Puts the host in the set it belongs to now and saves it.
local function place(x)
    local h = x.name
    local qk = C .. ':q:' .. h
    local pending = redis.call('ZCARD', qk)
    redis.call('ZREM', C .. ':ready', h)
    redis.call('ZREM', C .. ':wait', h)
    local load = pending + x.inf
    if load > 0 then
        redis.call('ZADD', C .. ':load', load, h)
    else
        redis.call('ZREM', C .. ':load', h)
    end
    local values = {}
    for _, f in ipairs(host_fields) do
        values[#values + 1] = f
        values[#values + 1] = x[f]
    end
    redis.call('HSET', C .. ':h:' .. h, unpack(values))
    if pending == 0 or x.inf >= x.lim or x.rb == 1 then
        return
    end
    local at = math.max(x.ns, x.hu)
    if at <= now then
        local head = redis.call('ZRANGE', qk, 0, 0, 'WITHSCORES')
        redis.call('ZADD', C .. ':ready', head[2], h)
    else
        redis.call('ZADD', C .. ':wait', at, h)
    end
end

local function place_touched()
    for _, x in pairs(touched) do
        place(x)
    end
    touched = {}
end

local function hold(x, d)
    d = math.min(math.max(d, 0), math.max(0, cfg.bo_max))
    x.hu = math.max(x.hu, now + d)
end

local function on_start(x)
    x.inf = x.inf + 1
    local gap = x.d
    if cfg.rand == 1 and gap > 0 then
        gap = math.floor(gap * (0.5 + uniform()))
    end
    gap = math.max(gap, x.cd)
    x.ns = math.max(x.ns, now + gap)
end

local function abandon(x)
    if x.inf > 0 then
        x.inf = x.inf - 1
    end
end

local function good_status(s)
    return s >= 200 and s < 400
end

local function throttling_status(s)
    return s == 429 or s == 503
end

local function autothrottle(x, o)
    local target = math.floor(o.latency / cfg.at_target)
    local nxt = math.max(target, math.floor((x.d + target) / 2))
    nxt = math.min(math.max(nxt, x.mind), math.max(x.mind, cfg.at_max))
    local ok = o.status >= 200 and o.status < 300
    if not ok and nxt < x.d then
        return -- a failure never makes us faster
    end
    x.d = nxt
end

local function decrease(x)
    local window = math.max(math.floor(x.le), 1000)
    if x.ldec >= 0 and now - x.ldec < window then
        return -- the same burst: requests in flight together fail together
    end
    x.ldec = now
    x.lim = math.max(1, math.floor(x.lim / 2))
end

local function adapt(x, o)
    local good = good_status(o.status)
    local climbing = false
    if good then
        if x.hl == 1 then
            x.le = 0.3 * o.latency + 0.7 * x.le
            x.lf = math.min(x.lf, x.le)
        else
            x.le = o.latency
            x.lf = x.le
        end
        x.hl = 1
        climbing = x.le > 4 * x.lf and x.le > 500
    end
    if climbing or o.status == 0 or throttling_status(o.status) or (o.status >= 500 and o.status < 600) then
        x.g = 0
        decrease(x)
        return
    end
    if not good then
        return -- a 404 is the host answering normally
    end
    x.g = x.g + 1
    if x.g >= x.lim then
        x.g = 0
        x.lim = math.min(x.lim + 1, math.max(1, cfg.per_host))
    end
end

-- o = {fetched, latency, status, retry_after (-1: none)}
local function on_finish(x, o)
    abandon(x)
    if not o.fetched then
        return
    end
    if cfg.at == 1 then
        autothrottle(x, o)
    end
    if throttling_status(o.status) then
        x.bos = x.bos + 1
        if o.retry_after >= 0 then
            hold(x, o.retry_after)
        else
            local first = math.min(cfg.bo_base, cfg.bo_max)
            if x.bo > 0 then
                x.bo = math.min(2 * x.bo, cfg.bo_max)
            else
                x.bo = first
            end
            hold(x, x.bo)
        end
    elseif good_status(o.status) then
        x.bo = 0
    end
    if cfg.adapt == 1 then
        adapt(x, o)
    end
end

-- An outcome from four ARGV fields starting at i: fetched (0/1), latency ms, status, retry-after ms (-1: none).
local function outcome_at(i)
    return {fetched = ARGV[i] == '1', latency = tonumber(ARGV[i + 1]), status = tonumber(ARGV[i + 2]),
            retry_after = tonumber(ARGV[i + 3])}
end
