#!/usr/bin/env bash
# Starts `legalcircle serve SCENARIO` on a free port, runs the load test against it (N requests
# over 8 connections, bad ones mixed in), then stops it with SIGINT and checks it stopped cleanly.
#   serve_load_smoke.sh LEGALCIRCLE SERVE_LOAD SCENARIO N
set -euo pipefail
bin=$1 load=$2 scenario=$3 n=${4:-2000}
log=$(mktemp) out=$(mktemp)
trap 'rm -f "$log" "$out"' EXIT
env --default-signal=INT "$bin" serve "$scenario" --port 0 -q >"$out" 2>"$log" &
pid=$!
for _ in $(seq 1 600); do [ -s "$out" ] && break; sleep 0.1; done
url=$(head -1 "$out")
[ -n "$url" ] || { echo "serve did not start:"; cat "$log"; kill "$pid" 2>/dev/null; exit 1; }
status=0
"$load" --url "$url" --pid "$pid" --requests "$n" --connections 8 || status=$?
kill -INT "$pid"
wait "$pid" || { echo "serve exited with $? after SIGINT:"; cat "$log"; exit 1; }
exit $status
