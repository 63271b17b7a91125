#!/usr/bin/env bash
# CPU time per request of each thread of a server process, from /proc tick counts, for rec-serve,
# the HTTP/2 floor (benchmarks/naive/replay-server.ts: node:http2 replaying rec-serve's stored
# answer, no decode and no model) and the grpc-js echo server (benchmarks/overhead/echo-server.ts),
# all three serving at once and measured in interleaved rounds with the same client: batch-5
# Predict calls from rec-client, one in flight. Prints every round, then per server the median
# over the rounds of each thread's CPU per call (rec-serve's main thread is the first, lowest
# tid, line; with --inline_max_rows 0 its ONNX Runtime worker is the other busy one).
#
#   npx tsc -p . && bash benchmarks/server-thread-cpu.sh [requests=5000] [extra rec-serve flags...]
# ROUNDS (default 5) interleaved rounds of `requests` calls per server; WARMUP (default 12000)
# untimed calls per server first. With the default flags a lone batch-5 call runs on the main
# thread's ONNX Runtime session, so the main-thread figure includes the model run; pass
# --inline_max_rows 0 to see the serving overhead alone (the run then shows on a worker thread).
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib/wait-address.sh
requests=${1:-5000}
shift || true
warmup=${WARMUP:-12000}
rounds=${ROUNDS:-5}
tick_us=$((1000000 / $(getconf CLK_TCK)))
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; rm -rf "$work"' EXIT

node dist/src/cli/serve.js --model serving_server --host 127.0.0.1 --port 0 "$@" 2> "$work/rec-serve.log" & pids+=($!)
serve_pid=$!
serve_address=$(wait_address "$work/rec-serve.log")
# The HTTP/2 floor: node:http2 replaying rec-serve's stored answer, no decode and no model.
node dist/benchmarks/naive/replay-server.js --upstream "$serve_address" 2> "$work/floor.log" & pids+=($!)
floor_pid=$!
node dist/benchmarks/overhead/echo-server.js 2> "$work/echo.log" & pids+=($!)
echo_pid=$!
names=("rec-serve $*" "HTTP/2 floor (replay server)" "grpc-js echo server")
servers=("$serve_pid" "$floor_pid" "$echo_pid")
addresses=("$serve_address" "$(wait_address "$work/floor.log")" "$(wait_address "$work/echo.log")")

thread_ticks() { for t in /proc/$1/task/*; do echo "$(basename "$t") $(awk '{print $14+$15}' "$t/stat")"; done | sort; }
# The JIT settles only after thousands of calls: measure the steady state.
for i in 0 1 2; do node dist/src/cli/rec-client.js --connect "${addresses[$i]}" --batchsize 5 --requests "$warmup" --quiet > /dev/null; done
for round in $(seq 1 "$rounds"); do
  for i in 0 1 2; do
    before=$(thread_ticks "${servers[$i]}")
    p50=$(node dist/src/cli/rec-client.js --connect "${addresses[$i]}" --batchsize 5 --requests "$requests" --quiet | grep -oE 'client_cost +p50=[0-9.]+ms' | grep -oE '[0-9.]+ms')
    after=$(thread_ticks "${servers[$i]}")
    per_thread=$(join <(echo "$before") <(echo "$after") | awk -v n="$requests" -v us="$tick_us" '{d=$3-$2; if (d>0) printf "%s:%.0f ", $1, d*us/n}')
    echo "round $round, ${names[$i]}: client p50 $p50; CPU µs per request by thread (tid:µs) $per_thread"
    echo "$i $per_thread" >> "$work/rounds"
  done
done
median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
for i in 0 1 2; do
  echo "${names[$i]}: median over $rounds rounds, CPU µs per request by thread (tid: µs)"
  grep "^$i " "$work/rounds" | cut -d' ' -f2- | tr ' ' '\n' | grep . | sort -t: -k1,1n > "$work/values"
  for tid in $(cut -d: -f1 "$work/values" | sort -un); do
    value=$(grep "^$tid:" "$work/values" | cut -d: -f2 | median)
    # Threads idle in some rounds count as 0 there.
    seen=$(grep -c "^$tid:" "$work/values")
    [ "$seen" -lt "$rounds" ] && value=$( (grep "^$tid:" "$work/values" | cut -d: -f2; for _ in $(seq 1 $((rounds - seen))); do echo 0; done) | median)
    echo "  $tid: $value"
  done
done
