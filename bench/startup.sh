#!/usr/bin/env bash
# Time to ready of ./sinkserve serve, and what the first requests then cost:
#   bench/startup.sh MODEL.gguf [RUNS]     (from the repository root; the launcher builds the app if needed)
# Per run: seconds from the launcher's start until /q/health/ready answers 200, split into Quarkus's start and
# the model's load and warm-up (from the server's log), then the wall time of the first and of the second
# one-token chat request, which shows whether the warm-up left anything for the first client to pay.
set -euo pipefail
model="$1"; runs="${2:-3}"
port=$(( 20000 + RANDOM % 20000 ))
seconds() { echo "scale=2; ($2 - $1) / 1000000000" | bc; }
request() {
  local t0 t1
  t0=$(date +%s%N)
  curl -sf -o /dev/null "http://127.0.0.1:$port/v1/chat/completions" -H 'Content-Type: application/json' \
    -d '{"messages":[{"role":"user","content":"Once upon a time"}],"max_tokens":1}'
  t1=$(date +%s%N)
  seconds "$t0" "$t1"
}
for i in $(seq "$runs"); do
  log=$(mktemp)
  t0=$(date +%s%N)
  ./sinkserve serve --model "$model" --port "$port" >"$log" 2>&1 &
  pid=$!
  until curl -sf -o /dev/null "http://127.0.0.1:$port/q/health/ready"; do
    kill -0 "$pid" 2>/dev/null || { cat "$log"; exit 1; }
    sleep 0.05
  done
  t1=$(date +%s%N)
  first=$(request); second=$(request)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  quarkus=$(sed -n 's/.*started in \([0-9.]*\)s.*/\1/p' "$log")
  loaded=$(sed -n 's/.*loaded in \([0-9.]*\) s.*/\1/p' "$log")
  warmed=$(sed -n 's/.*warmed up in \([0-9.]*\) s.*/\1/p' "$log")
  echo "run $i: ready after $(seconds "$t0" "$t1") s (Quarkus started in $quarkus s, model loaded in $loaded s," \
    "warmed up in $warmed s); first request $first s, second $second s"
  rm -f "$log"
done
