// One Lua script per store operation: each runs atomically in Redis, so no read-then-write can interleave
// between instances. Times come from Redis's own clock (TIME), so instances' clocks need not agree.
//
// Keys (prefix "telnyx-voice:" by default):
//   <p>event:<event id>           string  "claim:<owner>" (PX leaseMs, renewed) or "done" (PX doneTtlMs)
//   <p>call:{<call>}:pending      zset    event id -> occurred_at (ms, fractions kept); PX ttlMs from join/leave
//   <p>call:{<call>}:state        hash    o:<id> owner, d:<id> turn deadline, lease, lease_until, high;
//                                         PX ttlMs from join/leave
//   <p>pace:<key>                 string  the next free slot (ms); PX until that slot has passed
// Every key is written with an expiry; nothing lives longer than its TTL after its last write.

/** `now` in milliseconds from Redis's clock. On Redis 5/6 TIME needs effects replication, the default since 7. */
const NOW = `
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

export const CLAIM = `
local v = redis.call('GET', KEYS[1])
if v == 'done' then return 'done' end
if v and v ~= 'claim:' .. ARGV[1] then return 'busy' end
redis.call('SET', KEYS[1], 'claim:' .. ARGV[1], 'PX', ARGV[2])
return 'claimed'
`;

export const COMPLETE = `
local v = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], 'done', 'PX', ARGV[2])
if v == 'claim:' .. ARGV[1] then return 1 end
return 0
`;

export const RELEASE = `
if redis.call('GET', KEYS[1]) == 'claim:' .. ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
`;

/** KEYS: event [, pending, state]; ARGV: owner, leaseMs [, event id]. */
export const RENEW = `${NOW}
local held = 0
if redis.call('GET', KEYS[1]) == 'claim:' .. ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  held = 1
end
if #KEYS == 3 then
  local id = ARGV[3]
  local later = now + tonumber(ARGV[2])
  if redis.call('HGET', KEYS[3], 'o:' .. id) == ARGV[1]
    and tonumber(redis.call('HGET', KEYS[3], 'd:' .. id) or '0') > now then
    redis.call('HSET', KEYS[3], 'd:' .. id, later)
  end
  if redis.call('HGET', KEYS[3], 'lease') == ARGV[1]
    and tonumber(redis.call('HGET', KEYS[3], 'lease_until') or '0') > now then
    redis.call('HSET', KEYS[3], 'lease_until', later)
  end
end
return held
`;

/** KEYS: pending, state; ARGV: event id, owner, occurredAtMs, leaseMs, ttlMs. */
export const JOIN = `${NOW}
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
redis.call('HSET', KEYS[2], 'o:' .. ARGV[1], ARGV[2], 'd:' .. ARGV[1], now + tonumber(ARGV[4]))
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return 0
`;

/** KEYS: pending, state; ARGV: event id, owner, occurredAtMs, leaseMs. */
export const ENTER = `${NOW}
-- Turns at the head whose deadline passed belong to dead (or stalled) owners. Each pass removes one turn or
-- stops, so the loop ends within the set's size.
while true do
  local head = redis.call('ZRANGE', KEYS[1], 0, 0)
  if #head == 0 then break end
  if tonumber(redis.call('HGET', KEYS[2], 'd:' .. head[1]) or '0') > now then break end
  redis.call('ZREM', KEYS[1], head[1])
  redis.call('HDEL', KEYS[2], 'd:' .. head[1], 'o:' .. head[1])
end
if redis.call('HGET', KEYS[2], 'o:' .. ARGV[1]) ~= ARGV[2] or not redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  return 'gone'
end
local holder = redis.call('HGET', KEYS[2], 'lease')
if holder and holder ~= ARGV[2] and tonumber(redis.call('HGET', KEYS[2], 'lease_until') or '0') > now then
  return 'waiting'
end
if redis.call('ZRANGE', KEYS[1], 0, 0)[1] ~= ARGV[1] then return 'waiting' end
redis.call('HSET', KEYS[2], 'lease', ARGV[2], 'lease_until', now + tonumber(ARGV[4]))
local high = redis.call('HGET', KEYS[2], 'high')
if high and tonumber(ARGV[3]) < tonumber(high) then return 'late' end
return 'entered'
`;

/** KEYS: pending, state; ARGV: event id, owner, occurredAtMs, handled (1/0), ttlMs. */
export const LEAVE = `
if redis.call('HGET', KEYS[2], 'o:' .. ARGV[1]) == ARGV[2] then
  redis.call('ZREM', KEYS[1], ARGV[1])
  redis.call('HDEL', KEYS[2], 'o:' .. ARGV[1], 'd:' .. ARGV[1])
end
if ARGV[4] == '1' then
  local high = redis.call('HGET', KEYS[2], 'high')
  if not high or tonumber(ARGV[3]) > tonumber(high) then redis.call('HSET', KEYS[2], 'high', ARGV[3]) end
end
if redis.call('HGET', KEYS[2], 'lease') == ARGV[2] then redis.call('HDEL', KEYS[2], 'lease', 'lease_until') end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return 0
`;

/** KEYS: pace; ARGV: intervalMs. */
export const RESERVE = `${NOW}
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
local after = slot + tonumber(ARGV[1])
redis.call('SET', KEYS[1], string.format('%.3f', after), 'PX', math.ceil(after - now))
return math.ceil(slot - now)
`;

// ---- Flows on many instances (RelayStore) ----
//   <p>flows:alive:<instance>    string  "1", PX leaseMs from its last heartbeat
//   <p>flows:instances           zset    instance -> when its liveness lapses (ms); PX an hour from a heartbeat
//   <p>flows:calls:<instance>    set     the calls whose flow it runs; PX an hour from a heartbeat or ownCall

const HOUR_MS = "3600000";

/** KEYS: alive, instances, calls; ARGV: instance, leaseMs. */
export const HEARTBEAT = `${NOW}
redis.call('SET', KEYS[1], '1', 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[2], ${HOUR_MS})
redis.call('PEXPIRE', KEYS[3], ${HOUR_MS})
return 1
`;

/** KEYS: alive. */
export const IS_ALIVE = `return redis.call('EXISTS', KEYS[1])`;

/** KEYS: instances; ARGV: instance. */
export const IS_KNOWN = `if redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 1 end
return 0`;

/** KEYS: calls; ARGV: call. */
export const OWN = `
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ${HOUR_MS})
return 1
`;

/** KEYS: calls; ARGV: call. */
export const DISOWN = `return redis.call('SREM', KEYS[1], ARGV[1])`;

/**
 * KEYS: instances; ARGV: the calls key prefix (<p>flows:calls:). Takes up to 20 lapsed instances: each is removed
 * from the set as its calls are read, so one caller gets them. (Its calls key is built here, not passed in
 * KEYS: the instances are only known inside the script; fine on one Redis primary, which is what we support.)
 */
export const TAKE_ORPHANS = `${NOW}
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 20)
local calls = {}
for _, instance in ipairs(dead) do
  redis.call('ZREM', KEYS[1], instance)
  local key = ARGV[1] .. instance
  for _, call in ipairs(redis.call('SMEMBERS', key)) do calls[#calls + 1] = call end
  redis.call('DEL', key)
end
return calls
`;

/** KEYS: channel; ARGV: message. The number of listeners that got it. */
export const PUBLISH = `return redis.call('PUBLISH', KEYS[1], ARGV[1])`;
