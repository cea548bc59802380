--[[
  Reserves the next free slot of a pace key, slots intervalMs apart. The key lives until that slot has passed.

  KEYS[1]  <p>pace:<key>   string: the next free slot (ms on Redis's clock, 3 decimals)

  ARGV[1]  intervalMs

  Returns the milliseconds to wait until the reserved slot (0 when it is free now).
]]
-- TIME needs effects replication on Redis 5/6 (the default since 7).
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
local after = slot + tonumber(ARGV[1])
redis.call('SET', KEYS[1], string.format('%.3f', after), 'PX', math.ceil(after - now))
return math.ceil(slot - now)
