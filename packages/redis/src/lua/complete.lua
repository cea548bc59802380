--[[
  Marks an event done for doneTtlMs, whoever holds its claim: the handler succeeded, so the marker is written
  even when the owner lost the claim (another copy that took it will find the event done).

  KEYS[1]  <p>event:<event id>   string: "claim:<owner>" or "done"

  ARGV[1]  owner
  ARGV[2]  doneTtlMs

  Returns 1 when the owner still held the claim, 0 when it had lost it.
]]
local v = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], 'done', 'PX', ARGV[2])
if v == 'claim:' .. ARGV[1] then return 1 end
return 0
