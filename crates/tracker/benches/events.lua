-- wrk script: single-event POSTs with a fresh UUID each (closed loop, max rate).
-- TOKEN=pct_... wrk -t1 -c32 -d10s -s crates/tracker/benches/events.lua http://127.0.0.1:18080/api/v1/events
local token = os.getenv("TOKEN") or ""
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end
function init(args)
  math.randomseed(os.time() * 1000 + (tid or 0))
end
local function uuid()
  return (string.gsub("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", "[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end))
end
request = function()
  local body = '{"id":"' .. uuid() .. '","learner":"l' .. math.random(1, 5000) ..
    '","package":"pecyn_passwords_en_standard_scorm12","verb":"completed","score":80}'
  return wrk.format("POST", nil, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
