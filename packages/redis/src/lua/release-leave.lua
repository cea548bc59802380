--[[
  Ends an event's turn in its call without raising the call's high-water mark (its handler failed), and drops
  the owner's claim, in one step: as leave-call.lua with handled '0' then release.lua. Says what it freed that
  someone waits for, to be announced.

  KEYS[1]  <p>call:{<call>}:event:<event id>  string: "claim:<owner>", "claim+:<owner>" (awaited) or "done"
  KEYS[2]  <p>call:{<call>}:pending           zset: event id -> occurred_at (ms, fractions kept)
  KEYS[3]  <p>call:{<call>}:state             hash: o:<id> owner, d:<id> turn deadline (ms), lease, lease_until,
                                              high, w (a turn waits to enter)

  ARGV[1]  event id
  ARGV[2]  owner
  ARGV[3]  ttlMs (the call's records)

  Returns {awaited, next}: awaited 1 when the owner's claim was dropped and a copy was waiting for it; next the
  call's earliest live pending turn when a turn waits to enter, else ''.
]]
-- TIME needs effects replication on Redis 5/6 (the default since 7).
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local id, owner = ARGV[1], ARGV[2]
if redis.call('HGET', KEYS[3], 'o:' .. id) == owner then
  redis.call('ZREM', KEYS[2], id)
  redis.call('HDEL', KEYS[3], 'o:' .. id, 'd:' .. id)
end
if redis.call('HGET', KEYS[3], 'lease') == owner then redis.call('HDEL', KEYS[3], 'lease', 'lease_until') end
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('PEXPIRE', KEYS[3], ARGV[3])

local awaited = 0
local v = redis.call('GET', KEYS[1])
if v == 'claim:' .. owner or v == 'claim+:' .. owner then
  redis.call('DEL', KEYS[1])
  if v == 'claim+:' .. owner then awaited = 1 end
end

-- The one turn that may enter now, when some turn waits (as complete-leave.lua).
local next = ''
if redis.call('HGET', KEYS[3], 'w') then
  if redis.call('ZCARD', KEYS[2]) == 0 then redis.call('HDEL', KEYS[3], 'w') end
  for _, turn in ipairs(redis.call('ZRANGE', KEYS[2], 0, 9)) do
    if tonumber(redis.call('HGET', KEYS[3], 'd:' .. turn) or '0') > now then
      next = turn
      break
    end
  end
end
return {awaited, next}
