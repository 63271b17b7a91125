# Sourced by the benchmark scripts. `wait_address LOG` prints the host:port a server started by the
# script announces in LOG (every server here logs "... on 127.0.0.1:PORT" once it listens), waiting
# up to 30 s; when none appears it prints the log on stderr and fails.
wait_address() {
  local address
  for _ in $(seq 1 300); do
    address=$(grep -oE ' on (127\.0\.0\.1|0\.0\.0\.0):[0-9]+' "$1" | head -1 | cut -c5- || true)
    if [ -n "$address" ]; then
      echo "$address"
      return 0
    fi
    sleep 0.1
  done
  echo "server did not start: $(cat "$1")" >&2
  return 1
}
