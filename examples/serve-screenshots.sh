#!/usr/bin/env bash
# Screenshots of `legalcircle serve` before and after a planner adds one point by clicking the
# map (headless Chromium through its DevTools protocol; tests/support/serve_browser.py).
#   bash examples/serve-screenshots.sh [SCENARIO]      -> $OUT/serve-before.png, serve-after.png
set -euo pipefail
cd "$(dirname "$0")/.."
LEGALCIRCLE=${LEGALCIRCLE:-build/legalcircle}
OUT=${OUT:-out/serve}
scenario=${1:-configs/synthetic-county.yaml}
mkdir -p "$OUT"
addr=$(mktemp)
trap 'rm -f "$addr"; [ -n "${pid:-}" ] && kill "$pid" 2>/dev/null || true' EXIT
"$LEGALCIRCLE" serve "$scenario" --port 0 -q >"$addr" &
pid=$!
for _ in $(seq 1 300); do [ -s "$addr" ] && break; sleep 0.1; done
url=$(head -1 "$addr")
/usr/bin/python3 tests/support/serve_browser.py "$url" "$OUT/browser.json" --screenshots "$OUT"
/usr/bin/python3 -c "import json,sys; b=json.load(open(sys.argv[1])); print('before', b['before']['text'], b['before']['villages'], '-> after', b['after']['text'], b['after']['villages'], '(' + b['proposal']['name'] + ')')" "$OUT/browser.json"
echo "wrote $OUT/serve-before.png and $OUT/serve-after.png"
