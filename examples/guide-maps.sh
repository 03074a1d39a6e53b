#!/usr/bin/env bash
# For every shipped scenario (configs/*.yaml but profiles.yaml): `legalcircle run --guide-maps`,
# then a PNG of its report.html in headless Chromium. Everything goes under out/examples/ (not part
# of the repository):
#   out/examples/<name>/guide/guide_maps.pdf   every guide map page (towns, then their stations)
#   out/examples/<name>/guide/stations/*.png   one page per service point, for screens
#   out/examples/<name>/report.png             the report as a browser shows it
# The OpenStreetMap scenarios need ../shared/data; they are reported as skipped when absent.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LEGALCIRCLE="${LEGALCIRCLE:-$ROOT/build/legalcircle}"
CHROMIUM="${CHROMIUM:-chromium}"
OUT="${OUT:-$ROOT/out/examples}"

[ -x "$LEGALCIRCLE" ] || { echo "legalcircle not found at $LEGALCIRCLE (build it, or set LEGALCIRCLE=...)" >&2; exit 1; }
command -v "$CHROMIUM" >/dev/null || { echo "$CHROMIUM not found (apt-get install chromium, or set CHROMIUM=...)" >&2; exit 1; }
if command -v fc-list >/dev/null && [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  echo "warning: no Chinese font installed; Chinese text will show as boxes (apt-get install fonts-noto-cjk)" >&2
fi

failed=0
for scenario in "$ROOT"/configs/*.yaml; do
  name="$(basename "$scenario" .yaml)"
  [ "$name" = profiles ] && continue
  dir="$OUT/$name"
  echo "== $name -> $dir"
  if ! "$LEGALCIRCLE" run -q "$scenario" --guide-maps -o "$dir"; then
    echo "   skipped: the run failed (the OpenStreetMap scenarios need ../shared/data)" >&2
    failed=1
    continue
  fi
  pages="$(pdfinfo "$dir/guide/guide_maps.pdf" 2>/dev/null | sed -n 's/^Pages: *//p')"
  echo "   $dir/guide/guide_maps.pdf (${pages:-?} pages)"
  profile="$(mktemp -d)"
  "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --hide-scrollbars --window-size=1280,3000 \
    --screenshot="$dir/report.png" "file://$dir/report.html" 2>/dev/null
  rc=$?
  rm -rf "$profile"
  if [ $rc -eq 0 ] && [ -s "$dir/report.png" ]; then echo "   $dir/report.png"; else echo "   screenshot failed" >&2; failed=1; fi
done
exit $failed
