#!/usr/bin/env bash
# Installs every build and test dependency of legalcircle from Debian 12 packages.
# Non-interactive; uses sudo when not run as root.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libgdal-dev gdal-bin
  libboost-dev libboost-graph-dev
  libosmium2-dev libprotozero-dev zlib1g-dev libbz2-dev libexpat1-dev
  libcli11-dev libyaml-cpp-dev nlohmann-json3-dev
  libcpp-httplib-dev  # legalcircle serve's HTTP server
  librsvg2-dev libcairo2-dev libfontconfig-dev  # guide maps: SVG pages printed to PDF and PNG
  libjs-leaflet       # the serve page's map, bundled into the binary at build time
  libgtest-dev libgmock-dev libbenchmark-dev
  glpk-utils  # test-only: glpsol checks the planning bound against an exact MIP
  python3-scipy  # bench-only: tests/bench/province_bench.py times scipy's Dijkstra beside ours
  chromium    # test-only: report.html and the serve page are loaded in headless Chromium
  python3-websocket  # test-only: drives the serve page through Chromium's DevTools protocol
  python3-qgis  # test-only: QGIS itself opens the written project
  postgresql-15 postgresql-15-postgis-3  # test-only: the PostGIS tests start a throwaway cluster
  fonts-noto-cjk  # Chinese labels in the QGIS project's maps (its label font)
  poppler-utils  # test-only: pdfinfo / pdftotext read the exported atlas
  clang libclang-rt-14-dev  # test-only: the libFuzzer harnesses and their runtime (.ci/fuzz.sh)
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "all dependencies already installed"
fi
