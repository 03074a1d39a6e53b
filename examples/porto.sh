#!/usr/bin/env bash
# Porto (PT), an urban case: how far is each neighbourhood from legal help — a lawyer's office,
# a courthouse or a town hall — within 15 minutes on foot and by car?
# Roads, neighbourhoods and offices all come from one OpenStreetMap extract
# (© OpenStreetMap contributors, ODbL 1.0).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LEGALCIRCLE="${LEGALCIRCLE:-$ROOT/build/legalcircle}"
SHARED="${SHARED:-$ROOT/../shared/data}"
OUT="${OUT:-$ROOT/out/porto}"
OSM="$SHARED/osm/porto.osm.pbf"

[ -x "$LEGALCIRCLE" ] || { echo "legalcircle not found at $LEGALCIRCLE (build it, or set LEGALCIRCLE=...)" >&2; exit 1; }
[ -f "$OSM" ] || { echo "extract not found: $OSM (set SHARED=.../shared/data)" >&2; exit 1; }

"$LEGALCIRCLE" coverage \
  --roads "$OSM" \
  --services "$OSM" --services-filter "office=lawyer amenity=courthouse,townhall" \
  --demand "$OSM" --demand-filter "place=neighbourhood" \
  --mode walk,car --minutes 15 \
  -o "$OUT" "$@"

"$LEGALCIRCLE" isochrones \
  --roads "$OSM" \
  --services "$OSM" --services-filter "office=lawyer amenity=courthouse,townhall" \
  --mode walk,car --minutes 5,10,15 --geotiff \
  -o "$OUT"

echo "outputs in $OUT: coverage.geojson, coverage.csv, summary.json, circle.geojson, isochrones.geojson, circle_<mode>_minutes.tif"
