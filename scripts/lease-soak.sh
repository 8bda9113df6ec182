#!/usr/bin/env bash
# lease-soak.sh REDIS_PORT DB KEYPREFIX [CONFIG]
#
# False takeovers with the default lease (BENCHMARKS.md, "Failover on a
# week of history"): on a Redis store (a new prefix, or a copy of a
# history), a private Mosquitto on MQTT_PORT (default 18892),
# shuttle-sim's 50 shuttles at 60 times real time, fleetd A active and
# fleetd B standing by, both with CONFIG's settings (default: none, the
# defaults). For SOAK seconds (default 600) nothing is done to A: every
# takeover by B is a false one. With REDIS_PID set, Redis itself is then
# stopped for each of STORE_PAUSES seconds (default "0.3 0.5"): a store
# that stalls for less than two thirds of the lease must not hand over
# either. Then A is stopped (SIGSTOP) for each of
# PAUSES seconds (default "0.3 0.5 2") and let go on (SIGCONT): a pause
# shorter than two thirds of the lease must not hand over; a longer one
# must, and A, fenced, must stop ("deposed") without another write.
# FLEETD and SHUTTLE_SIM are the binaries (default: on the PATH). Prints
# one line per phase and the load average.
set -euo pipefail
port=$1 db=$2 pre=$3 cfg=${4:-}
mqtt=${MQTT_PORT:-18892}
fleetd=${FLEETD:-fleetd} sim=${SHUTTLE_SIM:-shuttle-sim}
d=$(mktemp -d)
url="redis://127.0.0.1:$port/$db?prefix=$pre"
mosquitto -p "$mqtt" >"$d/mosquitto.log" 2>&1 & MOSQ=$!
sleep 0.3
cleanup() {
  kill -CONT ${A:-} ${REDIS_PID:-} 2>/dev/null || true
  kill ${SIM:-} ${A:-} ${B:-} 2>/dev/null || true
  sleep 1
  kill -9 ${SIM:-} ${A:-} ${B:-} 2>/dev/null || true
  kill $MOSQ 2>/dev/null || true
}
trap cleanup EXIT
"$sim" --shuttles 50 --time-scale 60 --broker "tcp://127.0.0.1:$mqtt" >"$d/sim.log" 2>&1 & SIM=$!
args=(demo --store "$url" --shuttles 0 --time-scale 60 --broker "tcp://127.0.0.1:$mqtt" --listen "" --status-every 0s)
[ -n "$cfg" ] && args+=(--config "$cfg")
"$fleetd" "${args[@]}" --owner A >"$d/a.log" 2>&1 & A=$!
for _ in $(seq 300); do grep -q 'msg="active' "$d/a.log" && break; sleep 0.1; done
"$fleetd" "${args[@]}" --owner B >"$d/b.log" 2>&1 & B=$!
for _ in $(seq 300); do grep -q 'standing by' "$d/b.log" && break; sleep 0.1; done
active_b() { grep -c 'msg="active' "$d/b.log" || true; }
t0=$(date +%s)
sleep "${SOAK:-600}"
echo "soak: $(( $(date +%s) - t0 )) s, A alive $(kill -0 $A 2>/dev/null && echo yes || echo no), B took over $(active_b) times, A renewal warnings $(grep -c 'lease renewal failed' "$d/a.log" || true), load $(cut -d' ' -f1-3 /proc/loadavg)"
for p in ${REDIS_PID:+${STORE_PAUSES:-0.3 0.5}}; do
  kill -0 $A 2>/dev/null || break
  kill -STOP "$REDIS_PID"
  sleep "$p"
  kill -CONT "$REDIS_PID"
  sleep 3
  echo "Redis stopped $p s: B took over $(active_b) times in all, A $(kill -0 $A 2>/dev/null && echo 'alive' || echo 'exited'), A renewal warnings $(grep -c 'lease renewal failed' "$d/a.log" || true), load $(cut -d' ' -f1 /proc/loadavg)"
done
for p in ${PAUSES:-0.3 0.5 2}; do
  kill -0 $A 2>/dev/null || break
  kill -STOP $A
  sleep "$p"
  kill -CONT $A
  sleep 3
  echo "pause $p s: B took over $(active_b) times in all, A $(kill -0 $A 2>/dev/null && echo 'alive' || echo 'exited'), A deposed $(grep -c 'deposed' "$d/a.log" || true), load $(cut -d' ' -f1 /proc/loadavg)"
done
grep -E 'deposed|lease|msg="active' "$d/a.log" | sed -E 's/^/A: /' | tail -5 || true
grep -E 'msg="active' "$d/b.log" | sed -E 's/^/B: /' || true
echo "logs in $d"
