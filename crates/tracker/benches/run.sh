#!/usr/bin/env bash
# Tracker benchmark: release build, loopback, load generator on the same box.
# Usage: crates/tracker/benches/run.sh [sqlite|postgres|all]   (default: all)
# PostgreSQL needs PECYN_BENCH_POSTGRES_URL (e.g. postgres:///pecyn_bench, an
# existing, empty database). Results go to stdout; BENCHMARKS.md quotes them.
set -euo pipefail
cd "$(dirname "$0")/../../.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target-tracker}"
which="${1:-all}"
secs="${BENCH_SECS:-10}"

cargo build --release -p pecyn-tracker --bin pecyn-tracker
cargo bench -p pecyn-tracker --bench loadgen --no-run
bin="$CARGO_TARGET_DIR/release/pecyn-tracker"
loadgen="$(ls -t "$CARGO_TARGET_DIR"/release/deps/loadgen-* | grep -v '\.d$' | head -1)"
cat_json="crates/tracker/tests/fixtures/catalogue.json"
work="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), load average $(cut -d' ' -f1-3 /proc/loadavg) at start"

rss_watch() { # pid outfile: peak VmRSS in kB while the pid lives
  local peak=0
  while kill -0 "$1" 2>/dev/null; do
    local r; r=$(awk '/VmRSS/{print $2}' "/proc/$1/status" 2>/dev/null || echo 0)
    [ "${r:-0}" -gt "$peak" ] && peak=$r && echo "$peak" > "$2"
    sleep 0.2
  done
}

run_backend() { # name url
  local name="$1" url="$2"
  echo "== $name ($url)"
  "$bin" admin --database-url "$url" import-catalogue "$cat_json" >/dev/null
  local code="bench-$RANDOM$RANDOM"
  "$bin" admin --database-url "$url" create-org --code "$code" --name-en Bench --name-cy Mainc --kind other --region x >/dev/null
  local token; token=$("$bin" admin --database-url "$url" issue-key --org "$code" --role ingest | sed -n 's/.*"token": "\(.*\)".*/\1/p')
  RUST_LOG=error "$bin" serve --database-url "$url" --listen 127.0.0.1:18080 --rate-limit 0 --queue-events 100000 > "$work/serve.out" &
  local pid=$!
  for _ in $(seq 50); do grep -q listening "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
  rss_watch "$pid" "$work/rss.$name" &
  echo "idle RSS: $(awk '/VmRSS/{print $2}' /proc/$pid/status) kB"
  for rate in ${RATES:-1000 5000 10000 15000}; do
    "$loadgen" open http://127.0.0.1:18080/api/v1/events "$token" "$rate" "$secs"
    echo "  server RSS after this phase: $(awk '/VmRSS/{print $2}' /proc/$pid/status) kB, peak so far $(awk '/VmHWM/{print $2}' /proc/$pid/status) kB"
  done
  echo "wrk closed loop, 32 connections:"
  TOKEN="$token" wrk -t1 -c32 -d"${secs}s" --latency -s crates/tracker/benches/events.lua http://127.0.0.1:18080/api/v1/events \
    | grep -E 'Requests/sec|50%|99%|Non-2xx' || true
  "$loadgen" batch http://127.0.0.1:18080/api/v1/events "$token" 1000 "$secs" 4
  echo "peak RSS under load: $(awk '/VmHWM/{print $2}' /proc/$pid/status) kB (sampled: $(cat "$work/rss.$name") kB)"
  kill -TERM "$pid"; wait "$pid" || true
  "$loadgen" raw "$url" 200000
}

if [ "$which" = all ] || [ "$which" = trivial ]; then
  echo "== trivial axum route (ceiling)"
  "$loadgen" trivial 127.0.0.1:18081 > "$work/triv.out" &
  tpid=$!
  sleep 0.5
  for rate in ${RATES:-1000 5000 10000 15000}; do
    "$loadgen" open http://127.0.0.1:18081/api/v1/events x "$rate" "$secs"
  done
  echo "peak RSS of the trivial server: $(awk '/VmHWM/{print $2}' /proc/$tpid/status) kB"
  kill "$tpid"
fi
if [ "$which" = all ] || [ "$which" = sqlite ]; then
  PECYN_TRACKER_SQLITE_SYNC=full run_backend sqlite-full "sqlite://$work/bench-full.db"
  PECYN_TRACKER_SQLITE_SYNC=normal run_backend sqlite-normal "sqlite://$work/bench-normal.db"
fi
if [ "$which" = all ] || [ "$which" = postgres ]; then
  if [ -n "${PECYN_BENCH_POSTGRES_URL:-}" ]; then
    run_backend postgres "$PECYN_BENCH_POSTGRES_URL"
  else
    echo "== postgres SKIPPED (set PECYN_BENCH_POSTGRES_URL)"
  fi
fi
