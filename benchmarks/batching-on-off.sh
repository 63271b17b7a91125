#!/usr/bin/env bash
# The dynamic batcher on (the default) against off, side by side in interleaved rounds: batch 5
# at 1 and at 16 requests in flight over gRPC Predict, rec-client as the client, both servers
# running at once on the default model. Prints a markdown table (p50, p99 and rows/s per round).
#
#   npx tsc -p . && bash benchmarks/batching-on-off.sh [requests=3000] [rounds=3]
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib/wait-address.sh
requests=${1:-3000}
rounds=${2:-3}
logs=$(mktemp -d)
trap 'kill $(cat "$logs"/*.pid) 2>/dev/null || true' EXIT
start() { # $1 = log name, rest = flags; prints host:port
  node dist/src/cli/serve.js --model serving_server --host 127.0.0.1 --port 0 "${@:2}" > /dev/null 2> "$logs/$1" &
  echo $! > "$logs/$1.pid"
  wait_address "$logs/$1"
}
on=$(start on)
off=$(start off --batching off)
client() { node dist/src/cli/rec-client.js --connect "$1" --batchsize 5 --requests "$2" --threads "$3" --quiet; }
for address in "$on" "$off"; do client "$address" 12000 1 > /dev/null; client "$address" 4000 16 > /dev/null; done
echo "| round | batching | in flight | p50 ms | p99 ms | rows/s |"
echo "|---|---|---|---|---|---|"
for round in $(seq 1 "$rounds"); do
  for threads in 1 16; do
    for variant in on off; do
      address=$on; [ "$variant" = off ] && address=$off
      out=$(client "$address" "$requests" "$threads")
      p50=$(grep -oE 'client_cost  p50=[0-9.]+' <<< "$out" | cut -d= -f2)
      p99=$(grep -oE 'client_cost .* p99=[0-9.]+' <<< "$out" | grep -oE 'p99=[0-9.]+' | cut -d= -f2)
      rows=$(grep -oE 'rows/s=[0-9.]+' <<< "$out" | cut -d= -f2)
      echo "| $round | $variant | $threads | $p50 | $p99 | $rows |"
    done
  done
done
