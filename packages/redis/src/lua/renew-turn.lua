--[[
  Extends what an owner holds in a call to leaseMs from now: its event's pending turn, and the call's lease,
  each only if it is the owner's and has not lapsed (a lapsed one may already be another's).

  KEYS[1]  <p>call:{<call>}:state   hash: o:<id> owner, d:<id> turn deadline (ms), lease, lease_until (ms), high

  ARGV[1]  owner
  ARGV[2]  leaseMs
  ARGV[3]  event id

  Returns 0. Times are Redis's own clock (TIME), so the instances' clocks need not agree.
]]
-- TIME needs effects replication on Redis 5/6 (the default since 7).
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local id = ARGV[3]
local later = now + tonumber(ARGV[2])
if redis.call('HGET', KEYS[1], 'o:' .. id) == ARGV[1]
  and tonumber(redis.call('HGET', KEYS[1], 'd:' .. id) or '0') > now then
  redis.call('HSET', KEYS[1], 'd:' .. id, later)
end
if redis.call('HGET', KEYS[1], 'lease') == ARGV[1]
  and tonumber(redis.call('HGET', KEYS[1], 'lease_until') or '0') > now then
  redis.call('HSET', KEYS[1], 'lease_until', later)
end
return 0
