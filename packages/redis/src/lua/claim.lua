--[[
  Claims an event for an owner for leaseMs, unless it is done or another owner's claim has not lapsed. The
  owner's own claim is taken again (and its lease reset).

  KEYS[1]  <p>event:<event id>   string: "claim:<owner>" (PX leaseMs) or "done" (PX doneTtlMs)

  ARGV[1]  owner
  ARGV[2]  leaseMs

  Returns 'claimed', 'busy' or 'done'.
]]
local v = redis.call('GET', KEYS[1])
if v == 'done' then return 'done' end
if v and v ~= 'claim:' .. ARGV[1] then return 'busy' end
redis.call('SET', KEYS[1], 'claim:' .. ARGV[1], 'PX', ARGV[2])
return 'claimed'
