--[[
  Takes the call's lease for leaseMs if it is free (or lapsed) and the event is the call's earliest pending one.
  First drops pending turns at the head whose deadline passed: their owners died or stalled. A turn that must
  wait marks the call (w), so that leaving it announces the next turn.

  KEYS[1]  <p>call:{<call>}:pending  zset: event id -> occurred_at (ms, fractions kept)
  KEYS[2]  <p>call:{<call>}:state    hash: o:<id> owner, d:<id> turn deadline (ms), lease, lease_until, high,
                                     w (a turn waits to enter)

  ARGV[1]  event id
  ARGV[2]  owner
  ARGV[3]  occurredAtMs
  ARGV[4]  leaseMs

  Returns 'entered', 'late' (entered; an event of the call that occurred later was handled already), 'waiting'
  or 'gone' (the turn is no longer pending: it lapsed, or another owner joined it since).
]]
-- TIME needs effects replication on Redis 5/6 (the default since 7).
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

-- Each pass removes one lapsed turn or stops, so the loop ends within the set's size.
while true do
  local head = redis.call('ZRANGE', KEYS[1], 0, 0)
  if #head == 0 then break end
  if tonumber(redis.call('HGET', KEYS[2], 'd:' .. head[1]) or '0') > now then break end
  redis.call('ZREM', KEYS[1], head[1])
  redis.call('HDEL', KEYS[2], 'd:' .. head[1], 'o:' .. head[1])
end
if redis.call('HGET', KEYS[2], 'o:' .. ARGV[1]) ~= ARGV[2] or not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  return 'gone'
end
local holder = redis.call('HGET', KEYS[2], 'lease')
if (holder and holder ~= ARGV[2] and tonumber(redis.call('HGET', KEYS[2], 'lease_until') or '0') > now)
  or redis.call('ZRANGE', KEYS[1], 0, 0)[1] ~= ARGV[1] then
  redis.call('HSET', KEYS[2], 'w', '1')
  return 'waiting'
end
redis.call('HSET', KEYS[2], 'lease', ARGV[2], 'lease_until', now + tonumber(ARGV[4]))
local high = redis.call('HGET', KEYS[2], 'high')
if high and tonumber(ARGV[3]) < tonumber(high) then return 'late' end
return 'entered'
