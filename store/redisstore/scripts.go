package redisstore

import "github.com/redis/go-redis/v9"

// Replies of the scripts that are not results.
const (
	replyFenced = "FENCED"
	replyHeld   = "HELD"
)

// appendScript appends ARGV[3..] to the stream KEYS[2] with the next
// explicit ids if ARGV[1] is the value of KEYS[1] (the fence). It returns the
// index of the last record.
//
// ARGV[2] is the call's nonce, kept in field "w" of the batch's last entry.
// A client retries a script whose reply it lost (the connection broke, the
// primary failed over); if the stream already ends with the batch of that
// nonce, the first attempt was applied and the script only returns its
// index. It then rewrites the fence with its own value, so that a WAIT after
// it on the same connection waits for replicas to have the batch.
var appendScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return redis.error_reply('FENCED')
end
local last = 0
local top = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
if #top > 0 then
  last = tonumber(string.match(top[1][1], '^(%d+)-'))
  local f = top[1][2]
  for i = 1, #f - 1, 2 do
    if f[i] == 'w' and f[i + 1] == ARGV[2] then
      redis.call('SET', KEYS[1], ARGV[1])
      return last
    end
  end
end
for i = 3, #ARGV do
  last = last + 1
  if i == #ARGV then
    redis.call('XADD', KEYS[2], string.format('%d-0', last), 'd', ARGV[i], 'w', ARGV[2])
  else
    redis.call('XADD', KEYS[2], string.format('%d-0', last), 'd', ARGV[i])
  end
end
return last
`)

// acquireScript gives the lease KEYS[2] to ARGV[1] for ARGV[2] milliseconds
// with a new token from the fence KEYS[1], unless another owner holds it.
var acquireScript = redis.NewScript(`
local v = redis.call('GET', KEYS[2])
if v then
  local owner = string.match(v, '^%d+ (.*)$')
  if owner ~= ARGV[1] then
    return redis.error_reply('HELD')
  end
end
local t = redis.call('INCR', KEYS[1])
redis.call('SET', KEYS[2], string.format('%d %s', t, ARGV[1]), 'PX', ARGV[2])
return t
`)

// renewScript extends the lease KEYS[2] of owner ARGV[1] with token ARGV[2]
// to ARGV[3] milliseconds, if the token is still current in the fence KEYS[1]
// and the lease is not someone else's.
var renewScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[2] then
  return redis.error_reply('FENCED')
end
local want = ARGV[2] .. ' ' .. ARGV[1]
local v = redis.call('GET', KEYS[2])
if v and v ~= want then
  return redis.error_reply('FENCED')
end
redis.call('SET', KEYS[2], want, 'PX', ARGV[3])
return 1
`)

// releaseScript deletes the lease KEYS[2] and fences its token ARGV[2] by
// incrementing KEYS[1], if the token is current and the lease (if any) is
// owner ARGV[1]'s. Otherwise it does nothing.
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[2] then
  return 0
end
local v = redis.call('GET', KEYS[2])
if v and v ~= ARGV[2] .. ' ' .. ARGV[1] then
  return 0
end
redis.call('DEL', KEYS[2])
redis.call('INCR', KEYS[1])
return 1
`)
