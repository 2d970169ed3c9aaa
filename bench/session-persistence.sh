#!/usr/bin/env bash
# Session persistence cost through the packaged app: 64 sessions of stories260K, each fed ~600 tokens, written on
# SIGTERM (after the drain) and restored on the next start; prints the two log lines with their timings.
#   bench/session-persistence.sh            (after ./sinkserve build; uses a fresh folder under /tmp)
set -euo pipefail
cd "$(dirname "$0")/.."
WORK="$(mktemp -d)"; DIR="$WORK/sessions"; PORT="${PORT:-18391}"; SESSIONS="${SESSIONS:-64}"
start() {
  ./sinkserve serve --port "$PORT" -t 1 --model model-store/stories260K.gguf \
    --config "sinkserve.sessions.persist-dir=$DIR" > "$WORK/$1.log" 2>&1 &
  PID=$!
  until curl -sf "localhost:$PORT/q/health/ready" > /dev/null; do sleep 0.2; done
}
stop() { kill -TERM "$PID"; while kill -0 "$PID" 2> /dev/null; do sleep 0.2; done; }
start run1
TEXT="$(head -c 2400 testdata/data/tinystories_valid_head.txt | tr '\n"\\' '   ')"
for i in $(seq 1 "$SESSIONS"); do
  curl -sf "localhost:$PORT/v1/completions" -H 'Content-Type: application/json' -H "X-Session-ID: s$i" \
    -d "{\"prompt\":\"$TEXT\",\"max_tokens\":8,\"temperature\":0}" > /dev/null
done
curl -s "localhost:$PORT/q/metrics" | grep -E '^sinkserve_(kvcache_bytes|kvcache_tokens|sessions_active) '
stop
grep -h 'sessions written' "$WORK/run1.log"
echo "files: $(ls "$DIR" | wc -l), $(du -sb "$DIR" | cut -f1) bytes"
start run2
grep -h 'restored from' "$WORK/run2.log"
stop
rm -rf "$WORK"
