#!/usr/bin/env bash
# CPU time per request of each thread of a server process, from /proc tick counts, for rec-serve,
# the HTTP/2 floor (benchmarks/naive/replay-server.ts: node:http2 replaying rec-serve's stored
# answer, no decode and no model) and the grpc-js echo server (benchmarks/overhead/echo-server.ts)
# side by side: batch-5
# Predict calls from rec-client, one in flight. The rec-serve main thread is the first (lowest
# tid) line; its ONNX Runtime worker is the other busy one.
#
#   npx tsc -p . && bash benchmarks/server-thread-cpu.sh [requests=5000] [extra rec-serve flags...]
# WARMUP (default 12000) untimed calls first. With the default flags a lone batch-5 call runs on
# the main thread's ONNX Runtime session, so the main-thread figure includes the model run; pass
# --inline_max_rows 0 to see the serving overhead alone (the run then shows on a worker thread).
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib/wait-address.sh
requests=${1:-5000}
shift || true
warmup=${WARMUP:-12000}
tick_us=$((1000000 / $(getconf CLK_TCK)))

measure() { # $1 = label, $2 = pid, $3 = host:port
  # The JIT settles only after thousands of calls: measure the steady state.
  node dist/src/cli/rec-client.js --connect "$3" --batchsize 5 --requests "$warmup" --quiet > /dev/null
  local before after
  before=$(for t in /proc/$2/task/*; do echo "$(basename "$t") $(awk '{print $14+$15}' "$t/stat")"; done | sort)
  node dist/src/cli/rec-client.js --connect "$3" --batchsize 5 --requests "$requests" --quiet | grep -E 'client_cost'
  after=$(for t in /proc/$2/task/*; do echo "$(basename "$t") $(awk '{print $14+$15}' "$t/stat")"; done | sort)
  echo "$1: CPU µs per request by thread (tid: µs)"
  join <(echo "$before") <(echo "$after") | awk -v n="$requests" -v us="$tick_us" '{d=$3-$2; if (d>0) printf "  %s: %.0f\n", $1, d*us/n}'
}

log=$(mktemp)
echo_pid=""
node dist/src/cli/serve.js --model serving_server --host 127.0.0.1 --port 0 "$@" 2> "$log" & serve_pid=$!
trap 'kill $serve_pid $echo_pid 2>/dev/null || true' EXIT
address=$(wait_address "$log")
measure "rec-serve $*" "$serve_pid" "$address"
# The HTTP/2 floor: node:http2 replaying rec-serve's stored answer, no decode and no model.
floor_log=$(mktemp)
node dist/benchmarks/naive/replay-server.js --upstream "$address" 2> "$floor_log" & floor_pid=$!
trap 'kill $serve_pid $echo_pid $floor_pid 2>/dev/null || true' EXIT
measure "HTTP/2 floor (replay server)" "$floor_pid" "$(wait_address "$floor_log")"
kill "$floor_pid"; wait "$floor_pid" || true
kill -INT "$serve_pid"; wait "$serve_pid" || true

node dist/benchmarks/overhead/echo-server.js 2> "$log" & echo_pid=$!
address=$(wait_address "$log")
measure "grpc-js echo server" "$echo_pid" "$address"
