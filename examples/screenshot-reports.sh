#!/usr/bin/env bash
# Runs every shipped example scenario (configs/synthetic-county.yaml, north-bayreuth.yaml,
# porto.yaml) with `legalcircle run`, then takes a PNG screenshot of each report.html with
# headless Chromium. Everything is written under out/ (not part of the repository):
#   out/<name>/report.html and out/<name>/report.png
# The OpenStreetMap examples need ../shared/data; they are skipped with a message when absent.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LEGALCIRCLE="${LEGALCIRCLE:-$ROOT/build/legalcircle}"
CHROMIUM="${CHROMIUM:-chromium}"
OUT="${OUT:-$ROOT/out}"            # parent folder: one subfolder per example
WIDTH="${WIDTH:-1280}"
HEIGHT="${HEIGHT:-3000}"           # the page is cut here; raise it for long gap lists

[ -x "$LEGALCIRCLE" ] || { echo "legalcircle not found at $LEGALCIRCLE (build it, or set LEGALCIRCLE=...)" >&2; exit 1; }
command -v "$CHROMIUM" >/dev/null || { echo "$CHROMIUM not found (Debian: apt-get install chromium, or set CHROMIUM=...)" >&2; exit 1; }
if command -v fc-list >/dev/null && [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  echo "warning: no Chinese font installed; Chinese text will show as boxes (apt-get install fonts-noto-cjk)" >&2
fi

failed=0
for name in synthetic-county north-bayreuth porto; do
  dir="$OUT/$name"
  echo "== $name -> $dir"
  if ! "$LEGALCIRCLE" run -q "$ROOT/configs/$name.yaml" -o "$dir"; then
    echo "   skipped: the run failed (the OSM examples need ../shared/data)" >&2
    failed=1
    continue
  fi
  # report.html is written by `legalcircle run`; writing it again here keeps the script working
  # with builds whose run does not write it yet.
  [ -f "$dir/report.html" ] || "$LEGALCIRCLE" report -q "$dir" || { failed=1; continue; }
  profile="$(mktemp -d)"
  "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --hide-scrollbars --window-size="$WIDTH,$HEIGHT" \
    --screenshot="$dir/report.png" "file://$dir/report.html" 2>/dev/null
  rc=$?
  rm -rf "$profile"
  if [ $rc -eq 0 ] && [ -s "$dir/report.png" ]; then echo "   $dir/report.png"; else echo "   screenshot failed" >&2; failed=1; fi
done
exit $failed
