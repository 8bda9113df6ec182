#!/usr/bin/env bash
# recovery-bench.sh STORE_URL [CONFIG]
#
# Process start to "active" (the journal applied, the lease taken: the API
# takes requests) and to the first order published, for a fleetd demo
# (50 simulated shuttles of its own, 60 times real time) started on a
# store that fleetd history wrote (BENCHMARKS.md, "Durable at any age").
# The store is changed (the run appends its records): measure a copy.
# FLEETD is the fleetd binary (default: fleetd on the PATH); DUR how long
# the demo runs (default 5 s); KEEP a file to keep the run's log in.
set -euo pipefail
url=$1
cfg=${2:-}
fleetd=${FLEETD:-fleetd}
log=$(mktemp)
trap 'if [ -n "${KEEP:-}" ]; then mv "$log" "$KEEP"; else rm -f "$log"; fi' EXIT
args=(demo --store "$url" --shuttles 50 --time-scale 60 --listen "" --status-every 0s --embedded-broker 127.0.0.1:0)
[ -n "$cfg" ] && args+=(--config "$cfg")
t0=$(date +%s%N)
timeout -s INT "${DUR:-5}" "$fleetd" "${args[@]}" >"$log" 2>&1 || true
ms() {
  local t
  t=$(grep -m1 "$1" "$log" | sed -E 's/^time=([^ ]+) .*/\1/') || true
  if [ -n "$t" ]; then echo $((($(date -d "$t" +%s%N) - t0) / 1000000)); else echo "-"; fi
}
echo "active_ms=$(ms 'msg="active') first_order_ms=$(ms 'first order published') load=$(cut -d' ' -f1 /proc/loadavg)"
grep -E 'snapshot restored|msg="active|first order' "$log" | sed -E 's/ owner=[^ ]+//' || true
