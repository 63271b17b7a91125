#!/usr/bin/env bash
# CPU per batch-5 call of the client and of the whole server (every thread, model runs included)
# at N calls in flight, both on this host: how much of the machine one call costs, and so the
# most calls/s client and server can reach together here (cores / (client + server CPU per call)).
#
#   npx tsc -p . && bash benchmarks/cpu-budget.sh [requests=20000] [in_flight=16] [extra rec-serve flags...]
#
# Client CPU comes from bash's `time` (user + sys of the rec-client process), less a one-request
# run of the same client (process start and data loading); server CPU from /proc/<pid>/stat.
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib/wait-address.sh
requests=${1:-20000}
in_flight=${2:-16}
shift 2 || shift $# || true
ticks=$(getconf CLK_TCK)
cores=$(nproc)

log=$(mktemp)
node dist/src/cli/serve.js --model serving_server --host 127.0.0.1 --port 0 "$@" 2> "$log" & serve_pid=$!
trap 'kill $serve_pid 2>/dev/null || true; rm -f "$log"' EXIT
target=$(wait_address "$log")

client() { node dist/src/cli/rec-client.js --connect "$target" --batchsize 5 --threads "$in_flight" --requests "$1" --quiet > /dev/null; }
client_cpu_s() { # CPU seconds (user + sys) of one client run of $1 requests
  local TIMEFORMAT='%U %S'
  { time client "$1" 2> /dev/null; } 2>&1 | awk '{print $1 + $2}'
}

client 12000 # warm-up: the JIT settles after thousands of calls
base=$(client_cpu_s 1)
s0=$(awk '{print $14 + $15}' /proc/$serve_pid/stat)
t0=$(date +%s.%N)
run=$(client_cpu_s "$requests")
t1=$(date +%s.%N)
s1=$(awk '{print $14 + $15}' /proc/$serve_pid/stat)

awk -v n="$requests" -v f="$in_flight" -v base="$base" -v run="$run" -v ds="$((s1 - s0))" -v hz="$ticks" -v cores="$cores" -v t0="$t0" -v t1="$t1" 'BEGIN {
  client = (run - base) / (n - 1) * 1e6; server = ds / hz / n * 1e6; wall = t1 - t0
  printf "batch 5, %d in flight, %d calls in %.2f s (%.0f calls/s, %.1f k rows/s)\n", f, n, wall, n / wall, n * 5 / wall / 1000
  printf "client CPU per call: %.0f us\nserver CPU per call (all threads): %.0f us\n", client, server
  printf "together: %.0f us per call -> at most %.0f calls/s (%.1f k rows/s) on %d cores\n", client + server, cores * 1e6 / (client + server), cores * 5e6 / (client + server) / 1000, cores
}'
