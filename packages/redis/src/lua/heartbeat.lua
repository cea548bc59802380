--[[
  An instance of @telnyx-voice/flows is alive for leaseMs more: its liveness key, its place among the
  deployment's instances (scored by when its liveness lapses), and the expiry of its list of calls. The three
  keys share the registry's hash tag, so they are in one slot of a cluster.

  KEYS[1]  <p>{<p>flows}:alive:<instance>   string: "1", PX leaseMs
  KEYS[2]  <p>{<p>flows}:instances          zset: instance -> when its liveness lapses (ms); PX an hour
  KEYS[3]  <p>{<p>flows}:calls:<instance>   set: the calls whose flow it runs; PX an hour

  ARGV[1]  instance
  ARGV[2]  leaseMs

  Returns 1.
]]
-- TIME needs effects replication on Redis 5/6 (the default since 7).
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

redis.call('SET', KEYS[1], '1', 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[2], 3600000)
redis.call('PEXPIRE', KEYS[3], 3600000)
return 1
