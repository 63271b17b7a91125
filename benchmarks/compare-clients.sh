#!/usr/bin/env bash
# Two builds of rec-client side by side: a base git revision's (built in a temporary worktree)
# and the working tree's, both driving ONE rec-serve of the working tree in alternating rounds
# (base first in odd rounds, new first in even ones). On a shared host the client's CPU is CPU the
# server does not get, so a cheaper client shows in rows/s at 16 in flight. Prints one line per
# round and client, each round's new/base rows/s ratio, then the medians (rows/s, client CPU per
# call: user + sys of the rec-client process beyond a run of a third as many calls made just
# before it, divided by the calls it adds: start-up, data loading and JIT warm-up left out; it
# also moves with how many answers arrive per read, so compare it at equal rows/s only).
#
#   npx tsc -p . && bash benchmarks/compare-clients.sh <base-rev> [rounds=10] [in_flight=16] [requests=6000] [rec-client flags...]
#   e.g. bash benchmarks/compare-clients.sh HEAD~2 12 16 6000 --client_mode paddle-grpc
# SERVE_FLAGS adds rec-serve flags.
set -euo pipefail
cd "$(dirname "$0")/.."
source benchmarks/lib/wait-address.sh
source benchmarks/lib/base-build.sh
base_rev=${1:?usage: compare-clients.sh <base-rev> [rounds] [in_flight] [requests] [rec-client flags...]}
rounds=${2:-10}; in_flight=${3:-16}; requests=${4:-6000}
shift $(( $# < 4 ? $# : 4 ))
work=$(mktemp -d)
base_dir="$work/base"
cleanup() {
  kill "${serve_pid:-}" 2>/dev/null || true
  remove_base "$base_dir"
  rm -rf "$work"
}
trap cleanup EXIT
build_base "$base_rev" "$base_dir"

# shellcheck disable=SC2086 # SERVE_FLAGS is a list of flags
node dist/src/cli/serve.js --model serving_server --host 127.0.0.1 --port 0 ${SERVE_FLAGS:-} > /dev/null 2> "$work/serve.log" & serve_pid=$!
target=$(wait_address "$work/serve.log")

client() { # $1 = checkout, $2 = requests, then rec-client flags
  node "$1/dist/src/cli/rec-client.js" --connect "$target" --batchsize 5 --threads "$in_flight" --requests "$2" --quiet "${@:3}"
}
cpu_seconds() { # user + sys seconds of one client run: $1 = checkout, $2 = requests; its output goes to $work/out
  local TIMEFORMAT='%U %S'
  { time client "$1" "$2" "${@:3}" > "$work/out" 2> /dev/null; } 2>&1 | awk '{print $1 + $2}'
}
client "$base_dir" 8000 "$@" > /dev/null
client "$PWD" 8000 "$@" > /dev/null
short=$((requests / 3))
echo "client of $base_rev ($(git rev-parse --short "$base_rev")) vs the working tree's, one working-tree server; batch 5, $in_flight in flight, $requests calls per round"
measure() { # $1 = side; prints "rows cpu_us_per_call"
  local dir=$PWD startup seconds rows
  [ "$1" = base ] && dir=$base_dir
  startup=$(cpu_seconds "$dir" "$short" "${@:2}")
  seconds=$(cpu_seconds "$dir" "$requests" "${@:2}")
  rows=$(grep -oE 'rows/s=[0-9.]+' "$work/out" | cut -d= -f2)
  awk -v r="$rows" -v s="$seconds" -v b="$startup" -v n="$((requests - short))" 'BEGIN {printf "%s %.0f\n", r, (s - b) / n * 1e6}'
}
for round in $(seq 1 "$rounds"); do
  if [ $((round % 2)) = 1 ]; then base=$(measure base "$@"); new=$(measure new "$@"); else new=$(measure new "$@"); base=$(measure base "$@"); fi
  read -r base_rows base_cpu <<< "$base"; read -r new_rows new_cpu <<< "$new"
  ratio=$(awk -v a="$base_rows" -v b="$new_rows" 'BEGIN {printf "%.3f", b / a}')
  echo "round $round: base $base_rows rows/s, client CPU $base_cpu µs/call; new $new_rows rows/s, client CPU $new_cpu µs/call; new/base $ratio" | tee -a "$work/rounds"
done
median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
field() { grep -oE "$1 [0-9.]+ $2" "$work/rounds" | awk '{print $2}' | median; }
echo "median: base $(field base rows/s) rows/s, client CPU $(grep -oE 'base [0-9.]+ rows/s, client CPU [0-9]+' "$work/rounds" | awk '{print $6}' | median) µs/call;" \
  "new $(field new rows/s) rows/s, client CPU $(grep -oE 'new [0-9.]+ rows/s, client CPU [0-9]+' "$work/rounds" | awk '{print $6}' | median) µs/call;" \
  "new/base per round: median $(grep -oE 'new/base [0-9.]+' "$work/rounds" | awk '{print $2}' | median), range $(grep -oE 'new/base [0-9.]+' "$work/rounds" | awk '{print $2}' | sort -n | sed -n '1p;$p' | paste -sd' ' | sed 's/ / to /')"
