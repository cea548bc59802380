--[[
  Marks an event of a call done for doneTtlMs and ends its turn in the call (handled), in one step: as
  complete.lua then leave-call.lua with handled '1'. The done marker is written whoever holds the claim (the
  handler succeeded). Says what it freed that someone waits for, to be announced.

  KEYS[1]  <p>call:{<call>}:event:<event id>  string: "claim:<owner>", "claim+:<owner>" (awaited) or "done"
  KEYS[2]  <p>call:{<call>}:pending           zset: event id -> occurred_at (ms, fractions kept)
  KEYS[3]  <p>call:{<call>}:state             hash: o:<id> owner, d:<id> turn deadline (ms), lease, lease_until,
                                              high, w (a turn waits to enter)

  ARGV[1]  event id
  ARGV[2]  owner
  ARGV[3]  occurredAtMs
  ARGV[4]  doneTtlMs
  ARGV[5]  ttlMs (the call's records)

  Returns {held, awaited, next}: held 1 when the owner still held the claim, else 0; awaited 1 when a copy was
  waiting for the event's outcome; next the call's earliest live pending turn when a turn waits to enter, else ''.
]]
-- TIME needs effects replication on Redis 5/6 (the default since 7).
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local id, owner = ARGV[1], ARGV[2]
local v = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], 'done', 'PX', ARGV[4])
local held = 0
if v == 'claim:' .. owner or v == 'claim+:' .. owner then held = 1 end
local awaited = 0
if v and string.sub(v, 1, 7) == 'claim+:' then awaited = 1 end

if redis.call('HGET', KEYS[3], 'o:' .. id) == owner then
  redis.call('ZREM', KEYS[2], id)
  redis.call('HDEL', KEYS[3], 'o:' .. id, 'd:' .. id)
end
local high = redis.call('HGET', KEYS[3], 'high')
if not high or tonumber(ARGV[3]) > tonumber(high) then redis.call('HSET', KEYS[3], 'high', ARGV[3]) end
if redis.call('HGET', KEYS[3], 'lease') == owner then redis.call('HDEL', KEYS[3], 'lease', 'lease_until') end
redis.call('PEXPIRE', KEYS[2], ARGV[5])
redis.call('PEXPIRE', KEYS[3], ARGV[5])

-- The one turn that may enter now, when some turn waits: the earliest whose deadline has not passed (among
-- the first ten; past lapsed ones the waiters' backstop polls take over). With none pending, nothing waits.
local next = ''
if redis.call('HGET', KEYS[3], 'w') then
  if redis.call('ZCARD', KEYS[2]) == 0 then redis.call('HDEL', KEYS[3], 'w') end
  for _, turn in ipairs(redis.call('ZRANGE', KEYS[2], 0, 9)) do
    if tonumber(redis.call('HGET', KEYS[3], 'd:' .. turn) or '0') > now then
      next = turn
      break
    end
  end
end
return {held, awaited, next}
