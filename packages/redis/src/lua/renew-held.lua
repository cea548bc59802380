--[[
  Extends what owners hold to leaseMs from now, for many events at once (a router renews everything it holds
  in one call; on a cluster, one call per slot): each event's claim if still its owner's and, for an event
  claimed with its call (claim-join.lua), its pending turn and the call's lease, each if its owner's and not
  lapsed (a lapsed one may already be another's). Item i has two keys and three arguments.

  KEYS[2i-1]  the event's key: <p>call:{<call>}:event:<event id> (claimed with its call) or <p>event:<event id>
  KEYS[2i]    its call's state, <p>call:{<call>}:state (hash: o:<id> owner, d:<id> turn deadline, lease,
              lease_until, ...), or the event's key again for an event without a call (not read)

  ARGV[1]     leaseMs
  ARGV[3i-1]  item i's owner
  ARGV[3i]    item i's event id
  ARGV[3i+1]  '1' when item i has a call (KEYS[2i] is its state), '0' when not

  Returns one number per item: 1 while its claim is its owner's, else 0. Times are Redis's own clock (TIME).
]]
-- TIME needs effects replication on Redis 5/6 (the default since 7).
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local lease = tonumber(ARGV[1])
local later = now + lease
local held = {}
for i = 1, #KEYS / 2 do
  local event, state = 2 * i - 1, 2 * i
  local owner, id = ARGV[3 * i - 1], ARGV[3 * i]
  local v = redis.call('GET', KEYS[event])
  if v == 'claim:' .. owner or v == 'claim+:' .. owner then
    redis.call('PEXPIRE', KEYS[event], lease)
    held[i] = 1
  else
    held[i] = 0
  end
  if ARGV[3 * i + 1] == '1' then
    if redis.call('HGET', KEYS[state], 'o:' .. id) == owner
      and tonumber(redis.call('HGET', KEYS[state], 'd:' .. id) or '0') > now then
      redis.call('HSET', KEYS[state], 'd:' .. id, later)
    end
    if redis.call('HGET', KEYS[state], 'lease') == owner
      and tonumber(redis.call('HGET', KEYS[state], 'lease_until') or '0') > now then
      redis.call('HSET', KEYS[state], 'lease_until', later)
    end
  end
end
return held
