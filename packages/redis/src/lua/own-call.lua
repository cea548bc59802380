--[[
  Records that an instance runs a call's flow. The set expires an hour after its last write or heartbeat.

  KEYS[1]  <p>{<p>flows}:calls:<instance>   set: the calls whose flow it runs

  ARGV[1]  call

  Returns 1.
]]
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], 3600000)
return 1
