#!/usr/bin/env bash
# Two builds of rec-serve side by side: a base git revision (built in a temporary worktree) and the
# working tree's dist/, both serving the default model at once, driven by the working tree's
# rec-client in interleaved rounds. Prints one line per round and server, then the medians of the
# rounds' client p50 and server_cost p50 (and rows/s), and each server's CPU per call: its main
# thread and the whole process (all threads), from /proc tick counts.
#
#   npx tsc -p . && bash benchmarks/compare-builds.sh <base-rev> [rounds=6] [in_flight=1] [requests=3000] [rec-client flags...]
#   e.g. bash benchmarks/compare-builds.sh HEAD~1 8 16 12000 --client_mode http --http_body proto
# SERVE_FLAGS adds rec-serve flags to both servers, e.g. SERVE_FLAGS="--inline_max_rows 0".
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib/wait-address.sh
source benchmarks/lib/base-build.sh
base_rev=${1:?usage: compare-builds.sh <base-rev> [rounds] [in_flight] [requests] [rec-client flags...]}
rounds=${2:-6}; in_flight=${3:-1}; requests=${4:-3000}
shift $(( $# < 4 ? $# : 4 ))
work=$(mktemp -d)
base_dir="$work/base"
cleanup() {
  kill "${base_pid:-}" "${new_pid:-}" 2>/dev/null || true
  remove_base "$base_dir"
  rm -rf "$work"
}
trap cleanup EXIT
build_base "$base_rev" "$base_dir"

serve() { # $1 = checkout, $2 = log
  # shellcheck disable=SC2086 # SERVE_FLAGS is a list of flags
  (cd "$1" && exec node dist/src/cli/serve.js --model serving_server --host 127.0.0.1 --port 0 ${SERVE_FLAGS:-} > /dev/null 2> "$2") &
}
serve "$base_dir" "$work/base.log"; base_pid=$!
serve "$PWD" "$work/new.log"; new_pid=$!
base=$(wait_address "$work/base.log")
new=$(wait_address "$work/new.log")

tick_us=$((1000000 / $(getconf CLK_TCK)))
main_ticks() { awk '{print $14 + $15}' "/proc/$1/task/$1/stat"; }
process_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
client() { node dist/src/cli/rec-client.js --connect "$1" --batchsize 5 --threads "$in_flight" --requests "$2" --quiet "${@:3}"; }
client "$base" 8000 "$@" > /dev/null
client "$new" 8000 "$@" > /dev/null
echo "base $base_rev ($(git rev-parse --short "$base_rev")) vs working tree; batch 5, $in_flight in flight, $requests calls per round"
for round in $(seq 1 "$rounds"); do
  for side in base new; do
    address=$base; pid=$base_pid; [ "$side" = new ] && address=$new && pid=$new_pid
    main_before=$(main_ticks "$pid"); process_before=$(process_ticks "$pid")
    out=$(client "$address" "$requests" "$@")
    main_us=$(( ($(main_ticks "$pid") - main_before) * tick_us / requests ))
    process_us=$(( ($(process_ticks "$pid") - process_before) * tick_us / requests ))
    client_p50=$(grep -oE 'client_cost  p50=[0-9.]+' <<< "$out" | cut -d= -f2)
    server_p50=$(grep -oE 'server_cost  p50=[0-9.]+' <<< "$out" | cut -d= -f2)
    rows=$(grep -oE 'rows/s=[0-9.]+' <<< "$out" | cut -d= -f2)
    echo "$side round $round: client p50 ${client_p50} ms, server p50 ${server_p50} ms, ${rows} rows/s, CPU per call: main thread ${main_us} µs, process ${process_us} µs" | tee -a "$work/rounds"
  done
done
median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
for side in base new; do
  lines=$(grep "^$side " "$work/rounds")
  echo "$side median: client p50 $(grep -oE 'client p50 [0-9.]+' <<< "$lines" | awk '{print $3}' | median) ms," \
    "server p50 $(grep -oE 'server p50 [0-9.]+' <<< "$lines" | awk '{print $3}' | median) ms," \
    "$(grep -oE '[0-9.]+ rows/s' <<< "$lines" | awk '{print $1}' | median) rows/s," \
    "CPU per call: main thread $(grep -oE 'main thread [0-9]+' <<< "$lines" | awk '{print $3}' | median) µs," \
    "process $(grep -oE 'process [0-9]+' <<< "$lines" | awk '{print $2}' | median) µs"
done
