--[[
  Extends an owner's claim on an event to leaseMs from now, if the claim is still the owner's. (The call's part
  of a renewal is renew-turn.lua: the event's key and the call's keys live in different slots of a cluster.)

  KEYS[1]  <p>event:<event id>   string: "claim:<owner>" or "done"

  ARGV[1]  owner
  ARGV[2]  leaseMs

  Returns 1 while the claim is the owner's, else 0.
]]
if redis.call('GET', KEYS[1]) == 'claim:' .. ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
