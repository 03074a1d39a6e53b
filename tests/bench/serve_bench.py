#!/usr/bin/env python3
"""Speed of `legalcircle serve` on a generated county (not a test: it prints figures).

    tests/bench/serve_bench.py BUILD_DIR [--scale 28] [--work /tmp/legalcircle-serve-bench]

Generates the synthetic county at --scale (28: about 1 M road nodes, 3,000 villages, 280
services; 20: 729 k nodes, 2,153 villages, 203 services) unless it is there, starts `legalcircle
serve` on it and prints: startup until the address is printed; round-trip times on loopback
(state answer included) of add, move, remove of a proposal and of an existing service, suggest
k = 10 and the walk circle; seconds until the page is interactive in headless Chromium; the load
test (2,000 evaluate requests over 8 connections) with p50/p99 and the server's peak RSS."""
import argparse, json, os, re, statistics, subprocess, sys, time, urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--scale", default="28")
    ap.add_argument("--work", default="/tmp/legalcircle-serve-bench")
    a = ap.parse_args()
    build = Path(a.build).resolve()
    county = Path(a.work) / f"county-x{a.scale}"
    if not (county / "roads.osm.pbf").exists():
        print(f"generating the county at scale {a.scale} ...", flush=True)
        subprocess.run([str(build / "legalcircle_generate"), "--scale", a.scale, "--out", str(county), "-q"], check=True)
    scenario = Path(a.work) / f"scenario-x{a.scale}.yaml"
    text = (ROOT / "configs" / "synthetic-county.yaml").read_text()
    text = text.replace("../geodata/synthetic-county", str(county)).replace("file: profiles.yaml", f"file: {ROOT}/configs/profiles.yaml")
    scenario.write_text(text)

    t0 = time.time()
    # The server's log goes to a file: a pipe nobody reads would block its request lines.
    log_path = Path(a.work) / "serve.log"
    proc = subprocess.Popen([str(build / "legalcircle"), "serve", str(scenario), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=open(log_path, "w"), text=True)
    url = proc.stdout.readline().strip()
    startup = time.time() - t0
    time.sleep(0.2)
    found = re.search(r"\((\d+) nodes\)", log_path.read_text())
    nodes = found.group(1) if found else "?"
    try:
        def call(path, body=None):
            req = urllib.request.Request(url + path, data=None if body is None else json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
            t = time.time()
            r = urllib.request.urlopen(req, timeout=600).read()
            return (time.time() - t) * 1000, r

        villages = json.loads(call("api/villages")[1])
        info = json.loads(call("api/scenario")[1])
        state = json.loads(call("api/state")[1])
        tier = info["default_tier"]
        gaps = [k for k, x in enumerate(state["units"]["overall"]) if x == 0]
        adds, moves, removes = [], [], []
        ids = []
        for i in range(10):
            p, q = villages[gaps[(i * 17) % len(gaps)]], villages[gaps[(i * 17 + 5) % len(gaps)]]
            ms, r = call("api/edit", {"op": "add", "lon": p["lon"], "lat": p["lat"], "tier": tier})
            adds.append(ms)
            ids.append(json.loads(r)["proposals"][-1]["id"])
            ms, _ = call("api/edit", {"op": "move", "id": ids[-1], "lon": q["lon"], "lat": q["lat"]})
            moves.append(ms)
        for pid in ids[:5]:
            removes.append(call("api/edit", {"op": "remove", "id": pid})[0])
        existing = [call("api/edit", {"op": "remove", "id": s["id"]})[0] for s in info["services"][:3]]
        call("api/reset", {})
        suggest = [call("api/suggest", {"k": 10})[0] for _ in range(2)]
        rule = info["rules"][0]
        circle = call(f"api/circle?rule={rule['name']}&mode={rule['modes'][0]}")[0]
        state_bytes = len(call("api/state")[1])

        browser_out = Path(a.work) / "browser.json"
        subprocess.run(["/usr/bin/python3", str(ROOT / "tests" / "support" / "serve_browser.py"), url, str(browser_out)], check=True)
        interactive = json.loads(browser_out.read_text())["interactive_s"]
        call("api/reset", {})
        load = subprocess.run([str(build / "tests" / "legalcircle_serve_load"), "--url", url, "--pid", str(proc.pid),
                               "--requests", "2000", "--connections", "8"], capture_output=True, text=True)
        med = statistics.median
        print(f"legalcircle serve on the synthetic county at scale {a.scale}: {nodes} road nodes, "
              f"{len(villages)} villages, {len(info['services'])} services ({os.cpu_count()} cores)")
        print(f"  startup (until the address is printed) {startup:.2f} s")
        print(f"  add a proposal      median {med(adds):6.1f} ms  max {max(adds):6.1f} ms  (round trip, state of {state_bytes // 1024} KiB included)")
        print(f"  move a proposal     median {med(moves):6.1f} ms  max {max(moves):6.1f} ms")
        print(f"  remove a proposal   median {med(removes):6.1f} ms  max {max(removes):6.1f} ms")
        print(f"  remove a service    median {med(existing):6.1f} ms  max {max(existing):6.1f} ms")
        print(f"  suggest k = 10      median {med(suggest) / 1000:6.2f} s")
        print(f"  circle ({rule['name']}, {rule['modes'][0]}) {circle / 1000:.2f} s")
        print(f"  page interactive in headless Chromium {interactive:.2f} s")
        for line in load.stdout.splitlines():
            print("  " + line)
        if load.returncode != 0:
            print(load.stderr)
            sys.exit(1)
    finally:
        proc.terminate()
        proc.wait(30)


if __name__ == "__main__":
    main()
