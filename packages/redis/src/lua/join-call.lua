--[[
  Registers a claimed event as pending in its call, ordered by occurred_at (then event id), its turn alive for
  leaseMs; joining again replaces the turn (and its owner). The call's records live ttlMs from now.

  KEYS[1]  <p>call:{<call>}:pending  zset: event id -> occurred_at (ms, fractions kept)
  KEYS[2]  <p>call:{<call>}:state    hash: o:<id> owner, d:<id> turn deadline (ms), lease, lease_until, high

  ARGV[1]  event id
  ARGV[2]  owner
  ARGV[3]  occurredAtMs
  ARGV[4]  leaseMs
  ARGV[5]  ttlMs

  Returns 0.
]]
-- TIME needs effects replication on Redis 5/6 (the default since 7).
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
redis.call('HSET', KEYS[2], 'o:' .. ARGV[1], ARGV[2], 'd:' .. ARGV[1], now + tonumber(ARGV[4]))
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return 0
