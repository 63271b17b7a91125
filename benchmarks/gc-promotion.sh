#!/usr/bin/env bash
# Garbage that outlives minor GCs, per client mode: rec-serve runs under `node --trace-gc`, rec-client
# sends batch-5 calls one in flight (WARMUP untimed, then REQUESTS timed), and the V8 trace gives,
# over the timed calls, the scavenges and their mean pause, the full (Mark-Compact) GCs, and the
# heap left after one scavenge to the next (what was promoted to the old generation) per 1,000
# calls. A server that keeps nothing per call promotes almost nothing; objects that outlive a
# scavenge make every scavenge longer and bring full GCs.
#
#   npx tsc -p . && bash benchmarks/gc-promotion.sh [modes=grpc,paddle-grpc,rpc,http,kserve-grpc] [extra rec-serve flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib/wait-address.sh
modes=${1:-grpc,paddle-grpc,rpc,http,kserve-grpc}
shift || true
warmup=${WARMUP:-4000}
requests=${REQUESTS:-10000}
trace=$(mktemp)
log=$(mktemp)
trap 'kill $serve_pid 2>/dev/null || true; rm -f "$trace" "$log"' EXIT
echo "| client mode | scavenges | mean scavenge ms | full GCs | promoted MB per 1000 calls |"
echo "|---|---|---|---|---|"
for mode in ${modes//,/ }; do
  node --trace-gc dist/src/cli/serve.js --model serving_server --host 127.0.0.1 --port 0 "$@" > "$trace" 2> "$log" & serve_pid=$!
  address=$(wait_address "$log")
  node dist/src/cli/rec-client.js --connect "$address" --client_mode "$mode" --batchsize 5 --requests "$warmup" --quiet > /dev/null
  start=$(wc -l < "$trace")
  node dist/src/cli/rec-client.js --connect "$address" --client_mode "$mode" --batchsize 5 --requests "$requests" --quiet > /dev/null
  kill "$serve_pid"; wait "$serve_pid" 2> /dev/null || true
  tail -n +"$((start + 1))" "$trace" | awk -v mode="$mode" -v calls="$requests" '
    /Scavenge/ { n++; split($0, a, "-> "); split(a[2], b, " "); after = b[1]; if (prev != "") grown += after - prev; prev = after
                 match($0, /MB, [0-9.]+/); pause += substr($0, RSTART + 4, RLENGTH - 4) }
    /Mark-Compact/ { full++; prev = "" }
    END { printf "| %s | %d | %.2f | %d | %.2f |\n", mode, n, n ? pause / n : 0, full, grown / (calls / 1000) }'
done
