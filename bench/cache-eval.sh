#!/usr/bin/env bash
# StreamingLLM evidence on stories260K (trained at context 512): perplexity over one long stream of
# tinystories_valid_head.txt for dense, window, recompute and streaming caches, per 1,024-token segment.
# Writes bench/cache-eval.json (all runs) and bench/cache-eval.png (the per-segment curves).
#   bench/cache-eval.sh [TOKENS]      default 16384 scored tokens (32x the trained context)
# JOBS runs in parallel (default 2), THREADS per run (default 1: the model is tiny, one thread avoids the
# pool's hand-offs); MODEL and TEXT override the files.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$HERE")"
first() { for f in "$@"; do [ -f "$f" ] && { echo "$f"; return; }; done; echo "missing: $1" >&2; exit 1; }
MODEL="${MODEL:-$(first "$ROOT/model-store/stories260K.gguf" "$ROOT/../shared/models/stories260K.gguf")}"
TEXT="${TEXT:-$(first "$ROOT/testdata/data/tinystories_valid_head.txt" "$ROOT/../shared/data/tinystories_valid_head.txt")}"
TOKENS="${1:-16384}"
# a bounded heap: runs go in parallel beside other JVMs, and an unbounded recompute run was killed twice
# without a message (memory pressure, most likely)
export SINKSERVE_JAVA_OPTS="${SINKSERVE_JAVA_OPTS:--Xmx512m}"
OUT="$HERE/cache-eval.json"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# label | perplexity options; the slow ones (dense is O(n^2), recompute re-encodes 256 tokens per token) first
RUNS=(
  "dense (no eviction)|--mode dense"
  "recompute 256|--mode recompute --window 256"
  "window 0+256|--mode window --window 256"
  "streaming 1+255|--mode streaming --sinks 1 --window 255"
  "streaming 4+252|--mode streaming --sinks 4 --window 252"
  "streaming 8+248|--mode streaming --sinks 8 --window 248"
  "window 0+256 batch|--mode window --window 256 --policy batch"
  "streaming 4+252 batch|--mode streaming --sinks 4 --window 252 --policy batch"
)

run() { # index, label, options
  local i="$1" label="$2" opts="$3"
  echo "== $label: ./sinkserve perplexity --max-tokens $TOKENS $opts" >&2
  # shellcheck disable=SC2086
  "$ROOT/sinkserve" perplexity --model "$MODEL" --text "$TEXT" --max-tokens "$TOKENS" --threads "${THREADS:-1}" --json $opts \
    | jq --arg lbl "$label" --arg opts "$opts" '. + {"label": $lbl, "args": $opts}' > "$TMP/$(printf '%02d' "$i").json"
  echo "== done: $label" >&2
}

for i in "${!RUNS[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "${JOBS:-2}" ]; do wait -n; done
  run "$i" "${RUNS[$i]%%|*}" "${RUNS[$i]#*|}" &
done
wait
for f in "$TMP"/*.json; do [ -s "$f" ] || { echo "a run failed: $f is empty" >&2; exit 1; }; done

jq -s --arg model "$(basename "$MODEL")" --arg text "$(basename "$TEXT")" --argjson tokens "$TOKENS" \
  '{model: $model, text: $text, tokens: $tokens, runs: .}' "$TMP"/*.json > "$OUT"
echo "wrote $OUT" >&2
"$ROOT/sinkserve" plot --in "$OUT" --out "$HERE/cache-eval.png" --log-y \
  --title "stories260K (trained ctx 512): perplexity per 1,024 tokens over $TOKENS tokens"
jq -r '.runs[] | "\(.label)\t\(.perplexity)"' "$OUT" | column -t -s $'\t' >&2
