#!/usr/bin/env bash
# Rural Upper Franconia (north of Bayreuth, DE): can every village and hamlet reach a town hall
# (Rathaus, the local public office) within 15 minutes on foot, by e-bike and by car?
# Roads, villages and town halls all come from one OpenStreetMap extract
# (© OpenStreetMap contributors, ODbL 1.0).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LEGALCIRCLE="${LEGALCIRCLE:-$ROOT/build/legalcircle}"
SHARED="${SHARED:-$ROOT/../shared/data}"
OUT="${OUT:-$ROOT/out/north-bayreuth}"
OSM="$SHARED/osm/north-bayreuth.osm.gz"

[ -x "$LEGALCIRCLE" ] || { echo "legalcircle not found at $LEGALCIRCLE (build it, or set LEGALCIRCLE=...)" >&2; exit 1; }
[ -f "$OSM" ] || { echo "extract not found: $OSM (set SHARED=.../shared/data)" >&2; exit 1; }

"$LEGALCIRCLE" coverage \
  --roads "$OSM" \
  --services "$OSM" --services-filter "amenity=townhall" \
  --demand "$OSM" --demand-filter "place=village,hamlet" \
  --mode walk,ebike,car --minutes 15 \
  -o "$OUT" "$@"

"$LEGALCIRCLE" isochrones \
  --roads "$OSM" \
  --services "$OSM" --services-filter "amenity=townhall" \
  --mode walk,ebike,car --minutes 5,10,15 --geotiff \
  -o "$OUT"

echo "outputs in $OUT: coverage.geojson, coverage.csv, summary.json, circle.geojson, isochrones.geojson, circle_<mode>_minutes.tif"
