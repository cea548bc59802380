--[[
  Up to 20 instances whose liveness has lapsed (by Redis's clock), to be taken one by one with
  take-orphans.lua. Reads only: a sweeper that dies after it took nothing.

  KEYS[1]  <p>{<p>flows}:instances   zset: instance -> when its liveness lapses (ms)

  (no ARGV)

  Returns the instances, oldest lapse first.
]]
-- TIME needs effects replication on Redis 5/6 (the default since 7).
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 20)
