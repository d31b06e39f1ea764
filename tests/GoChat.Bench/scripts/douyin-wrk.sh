#!/usr/bin/env bash
# Measures douyin feed and favorite/action throughput with wrk (apt-get install wrk) against a
# Release GoChat on loopback, started here with demo data in a fresh data directory.
set -euo pipefail
cd "$(dirname "$0")/../../.."
DATA=$(mktemp -d /tmp/gochat-measure-XXXX); chmod 755 "$DATA"
PORT=18095
dotnet build WebFront -c Release -v quiet -nologo >/dev/null
dotnet WebFront/bin/Release/net10.0/GoChat.WebFront.dll --urls=http://127.0.0.1:$PORT --GoChat:DataDir=$DATA --GoChat:DemoData=true \
  --GoChat:Silo:Port=0 --GoChat:Security:SignInPermitsPerMinute=1000000 --Logging:LogLevel:GoChat.Grains.Storage.GroupCommitter=Information > $DATA/server.log 2>&1 &
PID=$!
until curl -sf localhost:$PORT/readyz >/dev/null; do sleep 0.2; done
sleep 3
VIDEO=$(curl -s localhost:$PORT/douyin/feed/ | python3 -c 'import sys,json; print(json.load(sys.stdin)["video_list"][0]["id"])')
echo "video $VIDEO"
echo "tokens = {" > $DATA/tokens.lua
for i in $(seq 1 64); do
  T=$(curl -s -X POST "localhost:$PORT/douyin/user/register/?username=load$i&password=secret1" | python3 -c 'import sys,json; print(json.load(sys.stdin)["token"])')
  echo "\"$T\"," >> $DATA/tokens.lua
done
echo "}" >> $DATA/tokens.lua
cat > $DATA/like.lua <<LUA
dofile("$DATA/tokens.lua")
counter = 0
request = function()
  counter = counter + 1
  local t = tokens[(counter % #tokens) + 1]
  local action = (math.floor(counter / #tokens) % 2) + 1
  return wrk.format("POST", "/douyin/favorite/action/?token=" .. t .. "&video_id=$VIDEO&action_type=" .. action)
end
LUA
echo "== feed (wrk -t2 -c32 -d10s)"
wrk -t2 -c32 -d10s http://127.0.0.1:$PORT/douyin/feed/ | grep -E "Requests/sec|Latency|requests in|Non-2xx"
echo "== favorite/action (wrk -t2 -c32 -d10s, 64 users alternating like/unlike)"
wrk -t2 -c32 -d10s -s $DATA/like.lua http://127.0.0.1:$PORT | grep -E "Requests/sec|Latency|requests in|Non-2xx"
curl -s "localhost:$PORT/douyin/feed/" | python3 -c 'import sys,json; v=json.load(sys.stdin)["video_list"][0]; print("favorite_count after run:", v["favorite_count"], "author total_favorited:", v["author"]["total_favorited"])'
kill -TERM $PID; wait $PID || true
grep -iE "group commit|message log" $DATA/server.log || true
rm -rf "$DATA"
