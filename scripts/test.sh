#!/usr/bin/env bash
# Runs every borderfleet test on a machine that has Go.
#
# It installs what the tests need when it is missing (Mosquitto, Redis and,
# for the dashboard's browser test, Chromium, from Debian's packages),
# starts its own private instances of the first two on free local ports
# (it never uses a broker or database someone else started),
# checks formatting and vet, runs all tests, then runs each fuzz target for a
# short while. The instances are stopped when it exits.
#
# Environment:
#   FUZZTIME   how long each fuzz target runs (default 4s; 0 skips fuzzing)
#   GOFLAGS    passed to go as usual
#   BORDERFLEET_ARTIFACTS  where the dashboard test saves its screenshot
#                          (default: a temporary directory)
#
# The tests find the services through:
#   BORDERFLEET_TEST_REDIS_ADDR   host:port of the private redis-server
#   BORDERFLEET_TEST_MQTT_URL     tcp://host:port of the private mosquitto
# The replication and Sentinel failover tests (store/redisstore,
# daemon/failover_test.go) start their own redis-server processes on free
# ports, sentinels as `redis-server --sentinel`: the redis-server package
# is all they need.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$(date +%s)
log() { local t=$(( $(date +%s) - started )); printf '== [%d:%02d] %s\n' $((t / 60)) $((t % 60)) "$*" >&2; }
die() { printf 'scripts/test.sh: %s\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

command -v go >/dev/null || die "Go is not on PATH; install Go 1.26 first (https://go.dev/doc/install)"

# --- install what is missing ----------------------------------------------
export PATH="$PATH:/usr/sbin:/sbin"
missing=()
have mosquitto || missing+=(mosquitto)
have redis-server || missing+=(redis-server)
have redis-cli || missing+=(redis-tools)
have chromium || [ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]} from Debian's packages"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    have sudo || die "need root (or sudo) to install: ${missing[*]}"
    sudo="sudo"
  fi
  have apt-get || die "no apt-get: install ${missing[*]} by hand"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- start private instances ------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/borderfleet-test.XXXXXX")
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p=$1
  while port_in_use "$p"; do p=$((p + 1)); done
  echo "$p"
}
wait_port() { # port name logfile
  for _ in $(seq 1 100); do
    port_in_use "$1" && return 0
    sleep 0.1
  done
  cat "$3" >&2 || true
  die "$2 did not start on port $1"
}

redis_port=$(free_port 16379)
redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
  --dir "$work" --logfile "$work/redis.log" >/dev/null &
pids+=($!)
wait_port "$redis_port" redis-server "$work/redis.log"
[ "$(redis-cli -p "$redis_port" ping)" = PONG ] || die "redis-server on port $redis_port does not answer PING"

mqtt_port=$(free_port 11883)
cat >"$work/mosquitto.conf" <<CONF
listener $mqtt_port 127.0.0.1
allow_anonymous true
persistence false
log_dest file $work/mosquitto.log
CONF
chmod 0777 "$work"
mosquitto -c "$work/mosquitto.conf" >"$work/mosquitto.out" 2>&1 &
pids+=($!)
wait_port "$mqtt_port" mosquitto "$work/mosquitto.out"

export BORDERFLEET_TEST_REDIS_ADDR="127.0.0.1:$redis_port"
export BORDERFLEET_TEST_MQTT_URL="tcp://127.0.0.1:$mqtt_port"
log "redis-server on $BORDERFLEET_TEST_REDIS_ADDR, mosquitto on $BORDERFLEET_TEST_MQTT_URL"

# --- static checks ------------------------------------------------------------
log "gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './_*'))
[ -z "$unformatted" ] || die "gofmt would change: $unformatted"
log "go vet"
go vet ./...

# --- tests ----------------------------------------------------------------------
race=()
if go env CGO_ENABLED | grep -q 1 && have "$(go env CC)"; then
  race=(-race)
else
  log "no C compiler: running without the race detector"
fi
# The deterministic core (the fleet controller, routing, charging, the
# site model and generator, the simulation and its scenarios) starts no
# goroutine of its own, and the race detector slows its simulations about
# tenfold (7 of the 11 minutes this tier took). So the core's packages run
# here without it; the race detector watches the core where it does run
# among goroutines: in daemon and api (the core behind the daemon's loop),
# in the end-to-end processes' packages, and in sim/soak, whose harness
# runs cases on parallel workers over the shared packages.
core=(./fleet ./routing ./charging ./geo ./geo/sitegen ./sim ./sim/report ./sim/demand ./scenarios)
others=$(go list ./... | grep -vxF "$(go list "${core[@]}")")
log "go test ${race[*]} -short, all but the core  (property tests with fewer cases)"
go test "${race[@]}" -short -count=1 $others
log "go test -short, the core: ${core[*]}"
go test -short -count=1 "${core[@]}"
# The property tests (CPU, one core mostly) run beside the end-to-end tests
# (processes that mostly wait on MQTT at 60x), at low priority, so that the
# two tiers take the time of the longer, not of both: a property run draws
# its cases at random (40 of them took 240 to 500 s here, 25 took 504 s
# beside the harness and the end-to-end tests; 15 took 8 minutes beside
# them, and the whole run 21, so 8 keep it under 20 minutes; the -short
# tier above ran 15 to 30 more). For more cases:
# go test -run Propert ./routing ./charging -args -rapid.checks=200
log "property tests, 8 cases each, without the race detector (beside the end-to-end tests)"
prop_log="$work/property.log"
nice -n 19 go test -count=1 -run Propert ./routing ./charging -args -rapid.checks=8 >"$prop_log" 2>&1 &
prop_pid=$!
pids+=("$prop_pid")
# The randomized invariant harness (sim/soak): 200 random site x scenario
# cases of 8 simulated hours each, checked for safety and liveness, and
# every regression case under sim/soak/testdata, without the race detector
# (the race tier above ran a few with -short). It too runs beside the
# end-to-end tests, at low priority. Budget: 3 minutes on the 2-core
# machine alone; here it shares the machine, and its wall time is logged.
# A failing case prints its one replay command. Any broken safety promise
# fails; stalls (deadlock, not live) are a known open defect and fail when
# more than soak.KnownStallShare of the cases have one (README).
# (and TestDraw, the check of the cases' distribution, which the race
# tier above skips).
log "randomized invariant harness: 200 cases of 8 h, and the regression cases (beside the end-to-end tests)"
soak_log="$work/soak.log"
soak_start=$(date +%s)
nice -n 19 go test -count=1 -timeout 20m -run '^(TestSoak|TestRegressions|TestDraw)$' ./sim/soak -args -soak.runs=200 >"$soak_log" 2>&1 &
soak_pid=$!
pids+=("$soak_pid")
# The end-to-end tests include a small load run (TestLoad: fleetd bench with
# 200 vehicles driving at 1 Hz for 20 s over a private Mosquitto and the bolt
# store, about 30 s; it fails if fleetd drops a message). -short skips it.
# They also include TestScenarioEndToEnd: the library's two end-to-end
# scenarios (scenarios/fleetd-restart.json, broker-restart.json: 10
# shuttles for an hour each at 120x over a private Mosquitto, the store
# in this script's Redis), side by side, each against the in-process run
# of the same file, about 32 s of wall time. -short skips it.
log "end to end over MQTT: fleetd and shuttle-sim processes, Mosquitto and the embedded broker, a 200-vehicle load run, the end-to-end scenarios"
e2e_status=0
go test -count=1 ./e2e || e2e_status=$?
prop_status=0
wait "$prop_pid" || prop_status=$?
log "property tests:"
cat "$prop_log" >&2
[ "$prop_status" -eq 0 ] || die "the property tests failed (above)"
[ "$e2e_status" -eq 0 ] || die "the end-to-end tests failed (above)"
log "the dashboard in headless Chromium over a fleet at 60x"
go test -count=1 -run TestBrowser ./dashboard
log "shuttle-sim's reconnect over Mosquitto, without -race (paho.mqtt.golang#703 races inside paho under it)"
go test -count=1 -run TestOnlineAndStateAgainWhenTheLinkComesBack ./cmd/shuttle-sim
log "simulated fleet days (24 h each, 20 and 50 shuttles)"
go test -count=1 -run TestSimulatedDays ./sim
# The -race -short tier above ran the scenario library's short tier (4 h
# runs at their short floors); this runs every scenario of scenarios/ in
# full at its floor, without the race detector: about 30 s on 2 cores.
log "the scenario library in process, each scenario in full at its floor (scenarios/README.md)"
go test -count=1 -run '^TestLibrary$' ./scenarios
soak_status=0
wait "$soak_pid" || soak_status=$?
log "randomized invariant harness: $(( $(date +%s) - soak_start )) s wall (beside the tests above)"
cat "$soak_log" >&2
[ "$soak_status" -eq 0 ] || die "the randomized invariant harness failed (above)"

# --- fuzz targets -----------------------------------------------------------------
fuzztime=${FUZZTIME:-4s}
# fuzz runs one target for $fuzztime. Go 1.26's fuzz coordinator sometimes
# ends a run that found nothing with "context deadline exceeded" when the
# time runs out while a worker is busy (a race in the toolchain, seen on
# loaded machines: golang/go#75804, fixed in Go 1.27). Such a run wrote
# no failing input and counts as passed, with a note; a run that wrote a
# failing input, or failed in any other way, fails.
fuzz() {
  local out status=0
  out=$(go test -run '^$' -fuzz "^${2}\$" -fuzztime "$fuzztime" -fuzzminimizetime 5s "$1" 2>&1) || status=$?
  printf '%s\n' "$out"
  [ "$status" -eq 0 ] && return 0
  if grep -q "Failing input written" <<<"$out" || ! grep -q "context deadline exceeded" <<<"$out"; then
    die "fuzz $1 $2 failed"
  fi
  log "fuzz $1 $2: ended at its time limit in the toolchain's race (golang/go#75804), no failing input: passed"
}
if [ "$fuzztime" != 0 ]; then
  for pkg in $(go list ./...); do
    for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
      log "fuzz $pkg $target for $fuzztime"
      fuzz "$pkg" "$target"
    done
  done
fi
log "all tests passed"
