--[[
  Drops an owner's claim (its handler failed), so that the next copy or redelivery claims the event. Another
  owner's claim, or a done marker, stays.

  KEYS[1]  <p>event:<event id>   string: "claim:<owner>" or "done"

  ARGV[1]  owner

  Returns 1 when it dropped the claim (a copy waiting for the event may claim it now), else 0.
]]
if redis.call('GET', KEYS[1]) == 'claim:' .. ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
