/**
 * The Lua script behind the Redis store: one atomic step per hit (a script runs without
 * interleaving), so processes and machines sharing one Redis never both take the last token.
 * Time comes from Redis (`TIME`), not from each caller, so machines with skewed clocks agree.
 * The update rules are those of the memory store (decision.ts); the script returns the state
 * after the hit and the caller computes the headers with the same functions.
 *
 * KEYS[1] the key's hash; ARGV[1] 'tb' | 'sw', ARGV[2] limit, ARGV[3] windowMs.
 * Returns { allowed (0|1), a, b, elapsed } as strings (floats survive; Redis would truncate numbers).
 */
export const HIT_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
if ARGV[1] == 'tb' then
  local state = redis.call('HMGET', KEYS[1], 'a', 'b')
  local tokens = tonumber(state[1])
  local at = tonumber(state[2])
  if tokens == nil or at == nil then
    tokens = limit
    at = now
  end
  if now > at then
    tokens = math.min(limit, tokens + (now - at) * limit / window)
    at = now
  end
  local allowed = 0
  if tokens >= 1 then
    tokens = tokens - 1
    allowed = 1
  end
  redis.call('HSET', KEYS[1], 'a', string.format('%.17g', tokens), 'b', at)
  -- Gone once it would be full again: an absent key is a full bucket.
  redis.call('PEXPIRE', KEYS[1], math.ceil((limit - tokens) * window / limit) + 1000)
  return { tostring(allowed), string.format('%.17g', tokens), '0', '0' }
end
local state = redis.call('HMGET', KEYS[1], 'a', 'b', 'c')
local start = math.floor(now / window) * window
local prev = tonumber(state[1]) or 0
local curr = tonumber(state[2]) or 0
local since = tonumber(state[3])
if since == nil or since < start - window then
  prev = 0
  curr = 0
  since = start
elseif since == start - window then
  prev = curr
  curr = 0
  since = start
end
local elapsed = math.max(0, now - since)
local allowed = 0
if prev * (window - elapsed) / window + curr + 1 <= limit then
  curr = curr + 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'a', prev, 'b', curr, 'c', since)
-- Gone once every counted hit has faded (the end of the next window).
redis.call('PEXPIRE', KEYS[1], window * 2 - elapsed + 1000)
return { tostring(allowed), tostring(prev), tostring(curr), tostring(elapsed) }
`;
