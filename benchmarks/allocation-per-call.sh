#!/usr/bin/env bash
# Bytes rec-serve allocates per batch-5 call (garbage included: V8's sampling heap profiler keeping
# objects that GCs collected), and the sites that allocate most, at N calls in flight.
#
#   npx tsc -p . && bash benchmarks/allocation-per-call.sh [mode=grpc] [in_flight=16] [calls=20000] [extra rec-serve flags...]
#
# rec-serve runs with benchmarks/lib/allocation-sampling.ts preloaded; 12,000 untimed calls first,
# then sampling covers exactly the timed calls (SIGUSR2 before and after).
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib/wait-address.sh
mode=${1:-grpc}; in_flight=${2:-16}; calls=${3:-20000}
shift 3 || shift $# || true
log=$(mktemp); profile=$(mktemp --suffix .json)
ALLOCATION_PROFILE_OUT="$profile" node -r ./dist/benchmarks/lib/allocation-sampling.js dist/src/cli/serve.js --model serving_server --host 127.0.0.1 --port 0 "$@" 2> "$log" & serve_pid=$!
trap 'kill $serve_pid 2>/dev/null || true; rm -f "$log" "$profile"' EXIT
target=$(wait_address "$log")
client() { node dist/src/cli/rec-client.js --connect "$target" --batchsize 5 --threads "$in_flight" --requests "$1" --client_mode "$mode" --quiet > /dev/null; }
client 12000
: > "$profile"
kill -USR2 $serve_pid; sleep 0.2
client "$calls"
kill -USR2 $serve_pid
for _ in $(seq 1 100); do [ -s "$profile" ] && break; sleep 0.1; done
echo "rec-serve, --client_mode $mode, batch 5, $in_flight in flight, $calls calls"
node dist/benchmarks/allocation-summary.js "$profile" "$calls" 15
