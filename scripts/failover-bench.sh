#!/usr/bin/env bash
# failover-bench.sh REDIS_PORT DB KEYPREFIX [CONFIG]
#
# Failover on a Redis store that fleetd history wrote (BENCHMARKS.md,
# "Durable at any age"): a private Mosquitto on MQTT_PORT (default 18891,
# started afresh: no retained messages of earlier runs), shuttle-sim's 50
# shuttles at 60 times real time standing where the store's fleet last had
# them and carrying what it had them carry (history-positions.py), fleetd A
# active and fleetd B standing by on the store; after WARM seconds (default
# 12) A is killed with SIGKILL. Prints the time from A's death to B active
# and to B's first order published. The store is changed: use a copy.
# FLEETD and SHUTTLE_SIM are the binaries (default: on the PATH).
set -euo pipefail
port=$1 db=$2 pre=$3 cfg=${4:-}
mqtt=${MQTT_PORT:-18891}
fleetd=${FLEETD:-fleetd} sim=${SHUTTLE_SIM:-shuttle-sim}
here=$(cd "$(dirname "$0")" && pwd)
d=$(mktemp -d)
url="redis://127.0.0.1:$port/$db?prefix=$pre"
mosquitto -p "$mqtt" >"$d/mosquitto.log" 2>&1 & MOSQ=$!
sleep 0.3
mosquitto_sub -p "$mqtt" -t "uagv/v2/+/+/order" -F "%U %t" >"$d/orders.log" & SUB=$!
cleanup() {
  kill ${SIM:-} ${A:-} ${B:-} 2>/dev/null || true
  sleep 1
  kill -9 ${SIM:-} ${B:-} 2>/dev/null || true
  kill $MOSQ $SUB 2>/dev/null || true
}
trap cleanup EXIT
python3 "$here/history-positions.py" "$port" "$db" "$pre" >"$d/pos"
"$sim" --shuttles 50 --start "$(sed -n 1p "$d/pos")" --loads "$(sed -n 2p "$d/pos")" --time-scale 60 \
  --broker "tcp://127.0.0.1:$mqtt" >"$d/sim.log" 2>&1 & SIM=$!
args=(demo --store "$url" --shuttles 0 --time-scale 60 --broker "tcp://127.0.0.1:$mqtt" --listen "" --status-every 0s)
[ -n "$cfg" ] && args+=(--config "$cfg")
"$fleetd" "${args[@]}" --owner A >"$d/a.log" 2>&1 & A=$!
for _ in $(seq 200); do grep -q 'msg="active' "$d/a.log" && break; sleep 0.1; done
"$fleetd" "${args[@]}" --owner B >"$d/b.log" 2>&1 & B=$!
sleep "${WARM:-12}"
grep -q "standing by" "$d/b.log" || echo "B does not stand by"
tk=$(date +%s%N)
kill -9 $A
for _ in $(seq 100); do grep -q 'first order published' "$d/b.log" && break; sleep 0.1; done
ms() {
  local t
  t=$(grep -m1 "$1" "$d/b.log" | sed -E 's/^time=([^ ]+) .*/\1/') || true
  if [ -n "$t" ]; then echo $((($(date -d "$t" +%s%N) - tk) / 1000000)); else echo "-"; fi
}
echo "death_to_active_ms=$(ms 'msg="active') death_to_first_order_ms=$(ms 'first order published') orders_before=$(awk -v t="$tk" '$1*1e9 <= t' "$d/orders.log" | wc -l) load=$(cut -d' ' -f1 /proc/loadavg)"
grep -E 'msg="active|first order' "$d/b.log" | sed -E 's/^/B: /; s/ owner=[^ ]+//' || true
echo "logs in $d"
