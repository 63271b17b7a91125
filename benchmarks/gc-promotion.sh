#!/usr/bin/env bash
# Garbage that outlives minor GCs, per client mode. One side runs under `node --trace-gc`: rec-serve
# (SIDE=server, the default) or rec-client (SIDE=client). rec-client sends batch-5 calls,
# IN_FLIGHT at a time (default 1), and the V8 trace gives the scavenges and their mean pause, the
# full (Mark-Compact) GCs and their pauses, and the heap left after one scavenge to the next (what
# was promoted to the old generation) per 1,000 calls. A process that keeps nothing per call
# promotes almost nothing; objects that outlive a scavenge make every scavenge longer and bring
# full GCs.
# Server side: WARMUP untimed calls first, then REQUESTS traced. Client side: one rec-client run
# of WARMUP + REQUESTS calls, all traced (its warm-up cannot be told apart in its own trace).
#
#   npx tsc -p . && bash benchmarks/gc-promotion.sh [modes=grpc,paddle-grpc,rpc,http,kserve-grpc] [extra rec-serve flags...]
#   e.g. SIDE=client IN_FLIGHT=16 bash benchmarks/gc-promotion.sh grpc,paddle-grpc
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib/wait-address.sh
modes=${1:-grpc,paddle-grpc,rpc,http,kserve-grpc}
shift || true
side=${SIDE:-server}
in_flight=${IN_FLIGHT:-1}
warmup=${WARMUP:-4000}
requests=${REQUESTS:-10000}
case "$side" in server|client) ;; *) echo "SIDE must be server or client; got $side" >&2; exit 2 ;; esac
trace=$(mktemp)
log=$(mktemp)
trap 'kill $serve_pid 2>/dev/null || true; rm -f "$trace" "$log"' EXIT
client() { # $1 = mode, $2 = calls, then node flags
  node "${@:3}" dist/src/cli/rec-client.js --connect "$address" --client_mode "$1" --batchsize 5 --threads "$in_flight" --requests "$2" --quiet
}
echo "| client mode | traced calls | scavenges | mean scavenge ms | full GCs | full GC ms in all | promoted MB per 1000 calls |"
echo "|---|---|---|---|---|---|---|"
for mode in ${modes//,/ }; do
  if [ "$side" = server ]; then
    node --trace-gc dist/src/cli/serve.js --model serving_server --host 127.0.0.1 --port 0 "$@" > "$trace" 2> "$log" & serve_pid=$!
    address=$(wait_address "$log")
    client "$mode" "$warmup" > /dev/null
    start=$(wc -l < "$trace")
    client "$mode" "$requests" > /dev/null
    calls=$requests
  else
    node dist/src/cli/serve.js --model serving_server --host 127.0.0.1 --port 0 "$@" > /dev/null 2> "$log" & serve_pid=$!
    address=$(wait_address "$log")
    client "$mode" "$((warmup + requests))" --trace-gc > "$trace"
    start=0
    calls=$((warmup + requests))
  fi
  kill "$serve_pid"; wait "$serve_pid" 2> /dev/null || true
  tail -n +"$((start + 1))" "$trace" | awk -v mode="$mode" -v calls="$calls" '
    /Scavenge/ { n++; split($0, a, "-> "); split(a[2], b, " "); after = b[1]; if (prev != "") grown += after - prev; prev = after
                 match($0, /MB, [0-9.]+/); pause += substr($0, RSTART + 4, RLENGTH - 4) }
    /Mark-Compact/ { full++; prev = ""; match($0, /MB, [0-9.]+/); fullPause += substr($0, RSTART + 4, RLENGTH - 4) }
    END { printf "| %s | %d | %d | %.2f | %d | %.1f | %.2f |\n", mode, calls, n, n ? pause / n : 0, full, fullPause, grown / (calls / 1000) }'
done
