--[[
  Claims an event of a call and, when claimed, joins it to the call's pending events, in one step; with enter,
  then tries to take the call's lease as enter-call.lua does. The event's key carries its call's hash tag, so
  the three keys are in one slot of a cluster. A claim found busy is marked awaited ("claim+:"), so that its
  completion or release is announced to the copies waiting for it.

  KEYS[1]  <p>call:{<call>}:event:<event id>  string: "claim:<owner>", "claim+:<owner>" (a copy waits for its
                                              outcome; PX leaseMs, renewed) or "done" (PX doneTtlMs)
  KEYS[2]  <p>call:{<call>}:pending           zset: event id -> occurred_at (ms, fractions kept)
  KEYS[3]  <p>call:{<call>}:state             hash: o:<id> owner, d:<id> turn deadline (ms), lease, lease_until,
                                              high, w (a turn waits to enter: announce the next turn on leaving)

  ARGV[1]  event id
  ARGV[2]  owner
  ARGV[3]  occurredAtMs
  ARGV[4]  leaseMs
  ARGV[5]  ttlMs (the call's records)
  ARGV[6]  enter: '1' to try to enter the call, '0' not to

  Returns {'done'}, {'busy'}, or {'claimed', entry}: entry '' (not asked), 'entered', 'late' (entered; an event
  of the call that occurred later was handled already) or 'waiting'.
]]
-- TIME needs effects replication on Redis 5/6 (the default since 7).
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local id, owner, lease = ARGV[1], ARGV[2], tonumber(ARGV[4])
local v = redis.call('GET', KEYS[1])
if v == 'done' then return {'done'} end
if v and v ~= 'claim:' .. owner and v ~= 'claim+:' .. owner then
  if string.sub(v, 1, 6) == 'claim:' then
    -- For the rest of its lease: a renewal keeps the mark, and a claim that lapses takes it along.
    local ttl = redis.call('PTTL', KEYS[1])
    if ttl > 0 then redis.call('SET', KEYS[1], 'claim+:' .. string.sub(v, 7), 'PX', ttl) end
  end
  return {'busy'}
end
-- The owner's own claim again keeps its mark.
redis.call('SET', KEYS[1], v or ('claim:' .. owner), 'PX', lease)

redis.call('ZADD', KEYS[2], ARGV[3], id)
redis.call('HSET', KEYS[3], 'o:' .. id, owner, 'd:' .. id, now + lease)
redis.call('PEXPIRE', KEYS[2], ARGV[5])
redis.call('PEXPIRE', KEYS[3], ARGV[5])
if ARGV[6] ~= '1' then return {'claimed', ''} end

-- Entering, as enter-call.lua (the turn was joined just now, so it is not gone). Each pass removes one lapsed
-- turn or stops, so the loop ends within the set's size.
while true do
  local head = redis.call('ZRANGE', KEYS[2], 0, 0)
  if #head == 0 then break end
  if tonumber(redis.call('HGET', KEYS[3], 'd:' .. head[1]) or '0') > now then break end
  redis.call('ZREM', KEYS[2], head[1])
  redis.call('HDEL', KEYS[3], 'd:' .. head[1], 'o:' .. head[1])
end
local holder = redis.call('HGET', KEYS[3], 'lease')
if (holder and holder ~= owner and tonumber(redis.call('HGET', KEYS[3], 'lease_until') or '0') > now)
  or redis.call('ZRANGE', KEYS[2], 0, 0)[1] ~= id then
  redis.call('HSET', KEYS[3], 'w', '1')
  return {'claimed', 'waiting'}
end
redis.call('HSET', KEYS[3], 'lease', owner, 'lease_until', now + lease)
local high = redis.call('HGET', KEYS[3], 'high')
if high and tonumber(ARGV[3]) < tonumber(high) then return {'claimed', 'late'} end
return {'claimed', 'entered'}
