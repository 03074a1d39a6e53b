#!/usr/bin/env bash
# The embedded default: the SYNTHETIC water-town county in geodata/synthetic-county (示例县,
# not a real place). Villages (村) and communities (社区) against the county centre, the town
# stations and the few village points, on foot, by e-bike and by car, 15 minutes.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LEGALCIRCLE="${LEGALCIRCLE:-$ROOT/build/legalcircle}"
DATA="${DATA:-$ROOT/geodata/synthetic-county}"
OUT="${OUT:-$ROOT/out/synthetic-county}"

[ -x "$LEGALCIRCLE" ] || { echo "legalcircle not found at $LEGALCIRCLE (build it, or set LEGALCIRCLE=...)" >&2; exit 1; }

"$LEGALCIRCLE" coverage \
  --roads "$DATA/roads.osm.pbf" \
  --services "$DATA/services.csv" \
  --demand "$DATA/villages.geojson" \
  --mode walk,ebike,car --minutes 15 \
  -o "$OUT" "$@"

echo "outputs in $OUT: coverage.geojson, coverage.csv, summary.json"
