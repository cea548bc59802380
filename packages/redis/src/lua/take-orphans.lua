--[[
  Takes the calls of one instance whose liveness has lapsed: removes it from the deployment's instances and
  deletes its list of calls in the same step, so that of the sweepers that found it lapsed exactly one gets its
  calls. An instance that sent a heartbeat since it was found lapsed is left alone.

  KEYS[1]  <p>{<p>flows}:instances          zset: instance -> when its liveness lapses (ms)
  KEYS[2]  <p>{<p>flows}:calls:<instance>   set: the calls whose flow it ran

  ARGV[1]  instance

  Returns its calls (none when another sweeper took them, or it is alive).
]]
-- TIME needs effects replication on Redis 5/6 (the default since 7).
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local lapses = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not lapses or tonumber(lapses) > now then return {} end
redis.call('ZREM', KEYS[1], ARGV[1])
local calls = redis.call('SMEMBERS', KEYS[2])
redis.call('DEL', KEYS[2])
return calls
