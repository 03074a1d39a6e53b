#!/usr/bin/env bash
# The synthetic county as a county office keeps its data (geodata/office-county): an Excel station
# list with Chinese headers and AMap (GCJ-02) coordinates, a village Shapefile in GBK without .cpg,
# a road layer with China's road grades. Same answers as examples/synthetic-county.sh.
# Regenerate the inputs with: build/legalcircle_office_inputs
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LEGALCIRCLE="${LEGALCIRCLE:-$ROOT/build/legalcircle}"
OUT="${OUT:-$ROOT/out/office-county}"

[ -x "$LEGALCIRCLE" ] || { echo "legalcircle not found at $LEGALCIRCLE (build it, or set LEGALCIRCLE=...)" >&2; exit 1; }

"$LEGALCIRCLE" run "$ROOT/configs/office-county.yaml" -o "$OUT" "$@"

echo "outputs in $OUT: report.html, demand.csv, legalcircle.gpkg (EPSG:4549) + legalcircle.qgs, summary.json"
