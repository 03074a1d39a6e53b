#!/usr/bin/env bash
# Builds the libFuzzer harnesses (clang, ASan+UBSan, every library instrumented) in build-fuzz and
# runs each for SECONDS (default 60) on a copy of tests/fuzz/corpus/<name> plus the regressions;
# new inputs go to build-fuzz/corpus, crashes to build-fuzz/artifacts. Exits 1 on any crash.
#   bash .ci/fuzz.sh 3600          # an hour per harness
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
build=${FUZZ_BUILD_DIR:-build-fuzz}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
  -DCMAKE_CXX_COMPILER=clang++ -DLEGALCIRCLE_FUZZ=ON -DLEGALCIRCLE_BUILD_TESTS=OFF \
  -DLEGALCIRCLE_BUILD_BENCH=OFF -DLEGALCIRCLE_WERROR=ON >/dev/null
harnesses=(csv:fuzz_csv_points geojson:fuzz_geojson_points osm:fuzz_osm scenario:fuzz_scenario)
cmake --build "$build" -j2 --target "${harnesses[@]##*:}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$PWD/.ci/ubsan.supp"
status=0
for pair in "${harnesses[@]}"; do
  name=${pair%%:*}; harness=${pair##*:}
  corpus=$build/corpus/$name; artifacts=$build/artifacts/$name/
  mkdir -p "$corpus" "$artifacts"
  cp tests/fuzz/corpus/"$name"/* "$corpus"/
  [ "$name" = osm ] && cp tests/fuzz/regressions/*.osm* "$corpus"/
  echo "fuzz: $harness for ${seconds} s"
  if ! "$build"/tests/fuzz/"$harness" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 \
      -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts" "$corpus" >"$build"/"$name".log 2>&1; then
    echo "fuzz: $harness FOUND A CRASH ($build/$name.log, inputs in $artifacts):"
    grep -E "ERROR|runtime error|SUMMARY|Test unit written" "$build"/"$name".log | head -20
    status=1
  else
    grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb" "$build"/"$name".log | tr '\n' ' '; echo
  fi
done
exit $status
