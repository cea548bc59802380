--[[
  Ends an event's turn in its call: removes it from the pending events and frees the call's lease (each only if
  the owner's) and, when its handler ran, raises the call's high-water mark to its occurred_at. The call's
  records live ttlMs from now. When a turn waits to enter, says which one may enter now, to be announced.

  KEYS[1]  <p>call:{<call>}:pending  zset: event id -> occurred_at (ms, fractions kept)
  KEYS[2]  <p>call:{<call>}:state    hash: o:<id> owner, d:<id> turn deadline (ms), lease, lease_until, high,
                                     w (a turn waits to enter)

  ARGV[1]  event id
  ARGV[2]  owner
  ARGV[3]  occurredAtMs
  ARGV[4]  handled: '1' or '0'
  ARGV[5]  ttlMs

  Returns the call's earliest live pending turn when a turn waits to enter, else ''.
]]
-- TIME needs effects replication on Redis 5/6 (the default since 7).
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

if redis.call('HGET', KEYS[2], 'o:' .. ARGV[1]) == ARGV[2] then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], 'o:' .. ARGV[1], 'd:' .. ARGV[1])
end
if ARGV[4] == '1' then
  local high = redis.call('HGET', KEYS[2], 'high')
  if not high or tonumber(ARGV[3]) > tonumber(high) then redis.call('HSET', KEYS[2], 'high', ARGV[3]) end
end
if redis.call('HGET', KEYS[2], 'lease') == ARGV[2] then redis.call('HDEL', KEYS[2], 'lease', 'lease_until') end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[5])

-- The one turn that may enter now, when some turn waits: the earliest whose deadline has not passed (among
-- the first ten; past lapsed ones the waiters' backstop polls take over). With none pending, nothing waits.
local next = ''
if redis.call('HGET', KEYS[2], 'w') then
  if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('HDEL', KEYS[2], 'w') end
  for _, turn in ipairs(redis.call('ZRANGE', KEYS[1], 0, 9)) do
    if tonumber(redis.call('HGET', KEYS[2], 'd:' .. turn) or '0') > now then
      next = turn
      break
    end
  end
end
return next
