#!/usr/bin/python3
"""Province-scale figures of legalcircle on a generated network (a benchmark, not a test).

    /usr/bin/python3 tests/bench/province_bench.py BUILD_DIR [--scale 28] [--work /tmp/legalcircle-province-bench]
                                  [--skip-run] [--threads N]

Generates the synthetic county at --scale (28: about 1 M road nodes, 3,000 villages, 284
services; 140: about 5 M nodes) unless it is there, then times each step as its own process and
prints wall seconds and peak RSS (the child's ru_maxrss) with bytes per road node:

  graph       read + build + write the binary cache; then loading the cache
  coverage    one mode at a time (walk, ebike, car), from the roads and from the mode's cache,
              with the snap + search stage as the command reports it; three modes at once
  isochrones  car, 5/10/15 minutes, one polygon set per service, from the cache: the county's own
              services, and 1,500 (those plus village points, the issue's size)
  plan        car 15 minutes, MCLP k = 10 over about 1,800 grid candidates: cover matrix, solve
  run         the synthetic scenario on this network with the 1,500 services (three rules over
              three modes, circles, per-service isochrones, MCLP k = 10, every output), with its
              stage times

Every figure comes from one run on a shared machine: compare figures of one invocation only."""
import argparse, json, os, re, subprocess, sys, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def timed(cmd, log=None):
    """Runs cmd; returns (seconds, peak RSS bytes, stderr text)."""
    t = time.time()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.time() - t
    if p.returncode != 0:
        sys.exit(f"failed ({p.returncode}): {' '.join(map(str, cmd))}\n{err}")
    if log:
        log.write(f"$ {' '.join(map(str, cmd))}\n{err}\n")
    return seconds, usage.ru_maxrss * 1024, err


def stage(err, name):
    m = re.search(re.escape(name) + r" \.\.\. ([0-9.]+) s", err)
    return float(m.group(1)) if m else float("nan")


def scipy_peer(lc, roads, cache, services, work, log, stages, row, bounded_services=None):
    """scipy's multi-source Dijkstra (csgraph.dijkstra, min_only, no cutoff) from the services'
    nearest nodes over the same graph and walk times, beside our snap + search stage; and with
    bounded_services, one car search per service bounded like the isochrones' (15 minutes and
    two 100 m cells' walk): the searches alone, which our per-service isochrones include.
    Returns the seconds of those bounded searches (or None)."""
    try:
        import numpy as np
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import dijkstra
        from scipy.spatial import cKDTree
    except ImportError as e:
        print(f"scipy peer: not measured ({e}; Debian python3-scipy)")
        return None
    exp = work / "csr"
    timed([lc, "graph", "--roads", roads, "--cache", cache, "--export-csr", exp], log)
    nodes = np.fromfile(exp / "nodes.f64", dtype=np.float64).reshape(-1, 2)
    first = np.fromfile(exp / "first_out.u32", dtype=np.uint32).astype(np.int64)
    head = np.fromfile(exp / "arc_head.u32", dtype=np.uint32).astype(np.int64)
    for mode in ["walk", "car"]:
        w = np.fromfile(exp / f"arc_in_seconds_{mode}.f32", dtype=np.float32).astype(np.float64)
        tail = np.repeat(np.arange(len(nodes)), np.diff(first))
        ok = np.isfinite(w)
        m = csr_matrix((w[ok], (tail[ok], head[ok])), shape=(len(nodes), len(nodes)))
        lon, lat = [], []
        import csv
        with open(services, encoding="utf-8") as f:
            for r in csv.DictReader(f):
                lon.append(float(r["lon"])), lat.append(float(r["lat"]))
        k = np.cos(np.radians(np.mean(nodes[:, 1])))
        tree = cKDTree(np.c_[nodes[:, 0] * k, nodes[:, 1]])
        _, src = tree.query(np.c_[np.array(lon) * k, np.array(lat)])
        times = []
        for _ in range(3):  # the median of three, as ours
            t = time.time()
            d = dijkstra(m, directed=True, indices=np.unique(src), min_only=True)
            times.append(time.time() - t)
        s = sorted(times)[1]
        settled = int(np.isfinite(d).sum())
        ours = stages.get(mode, float("nan"))
        row(f"scipy dijkstra {mode}: {len(np.unique(src))} sources", s, 0,
            f"{settled:,} nodes settled; ours (snap+search, cached, medians of 3) {ours:.2f} s: {s / ours:.1f}x")
        if mode == "car" and bounded_services:
            lon, lat = [], []
            with open(bounded_services, encoding="utf-8") as f:
                for r in csv.DictReader(f):
                    lon.append(float(r["lon"])), lat.append(float(r["lat"]))
            _, sources = tree.query(np.c_[np.array(lon) * k, np.array(lat)])
            limit = 15 * 60 + 2 * 100 / (4.5 / 3.6)  # isochrone_search_limit_s, car cells, access 4.5 km/h
            t = time.time()
            reached = 0
            for i in sources:
                reached += int(np.isfinite(dijkstra(m, directed=True, indices=int(i), limit=limit)).sum())
            bounded = time.time() - t
            row(f"scipy dijkstra car: {len(sources)} bounded searches", bounded, 0,
                f"one per service, limit {limit:.0f} s, {reached / len(sources):,.0f} nodes each")
            return bounded
    return None


def services_1500(county, work):
    """The county's services and, to 1,500, village points (seeded): the issue's job size."""
    import csv, random
    out = work / f"{county.name}-services-1500.csv"
    rows = list(csv.DictReader(open(county / "services.csv", encoding="utf-8")))
    villages = json.loads((county / "villages.geojson").read_text(encoding="utf-8"))["features"]
    random.seed(7)
    extra = random.sample(villages, max(0, 1500 - len(rows)))
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
        for i, v in enumerate(extra):
            lon, lat = v["geometry"]["coordinates"][:2]
            w.writerow({**{k: "" for k in rows[0]}, "id": f"M{i:04d}", "name": f"{v['properties'].get('name', '')}调解室",
                        "tier": "village_point", "lon": f"{lon + 0.002:.7f}", "lat": f"{lat + 0.001:.7f}"})
    return out, len(rows) + len(extra)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--scale", default="28")
    ap.add_argument("--work", default="/tmp/legalcircle-province-bench")
    ap.add_argument("--skip-run", action="store_true", help="leave out the whole scenario run")
    ap.add_argument("--threads", default=str(os.cpu_count() or 1))
    a = ap.parse_args()
    build = Path(a.build).resolve()
    lc = str(build / "legalcircle")
    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    county = work / f"county-x{a.scale}"
    if not (county / "roads.osm.pbf").exists():
        print(f"generating the county at scale {a.scale} ...", flush=True)
        subprocess.run([str(build / "legalcircle_generate"), "--scale", a.scale, "--out", str(county), "-q"], check=True)
    roads, services, villages = county / "roads.osm.pbf", county / "services.csv", county / "villages.geojson"
    log = open(work / f"bench-x{a.scale}.log", "w")
    rows = []

    def row(step, seconds, rss, detail=""):
        rows.append((step, seconds, rss, detail))
        memory = f"{rss / 2**20:9.0f} MiB" if rss else "        -    "
        print(f"{step:<44} {seconds:8.2f} s {memory}  {detail}", flush=True)

    cache = work / f"x{a.scale}-all.lcgraph"
    cache.unlink(missing_ok=True)
    s, rss, err = timed([lc, "graph", "--roads", roads, "--cache", cache], log)
    nodes = int(re.search(r"\((\d+) nodes\)", err).group(1))
    print(f"network: {nodes:,} nodes ({roads}), {cache.stat().st_size / 2**20:.0f} MiB cache", flush=True)
    row("graph: read + build + write cache", s, rss, f"read {stage(err, 'reading roads ' + str(roads)):.2f} s, "
        f"build {stage(err, 'building graph'):.2f} s, write {stage(err, 'writing graph cache ' + str(cache)):.2f} s")
    s, rss, err = timed([lc, "graph", "--roads", roads, "--cache", cache], log)
    row("graph: load the cache", s, rss, f"load {stage(err, 'reading graph cache ' + str(cache)):.2f} s, "
        f"{rss / nodes:.0f} B/node")

    base = [lc, "coverage", "--roads", roads, "--services", services, "--demand", villages]
    stages = {}
    for mode in ["walk", "ebike", "car"]:
        out = work / f"cov-{mode}"
        s, rss, err = timed(base + ["--mode", mode, "-o", out], log)
        row(f"coverage {mode}: from the roads", s, rss, f"snap+search {stage(err, mode + ': snapping and searching'):.2f} s")
        mc = work / f"x{a.scale}-{mode}.lcgraph"
        mc.unlink(missing_ok=True)
        timed(base + ["--mode", mode, "--graph-cache", mc, "-o", out], log)  # writes the cache
        # Three runs, the median stage: one run on a shared machine moves by a fifth.
        runs = [timed(base + ["--mode", mode, "--graph-cache", mc, "-o", out], log) for _ in range(3)]
        stages[mode] = sorted(stage(e, mode + ': snapping and searching') for _, _, e in runs)[1]
        s, rss, err = runs[-1]
        row(f"coverage {mode}: from its cache", s, rss, f"snap+search {stages[mode]:.2f} s, {rss / nodes:.0f} B/node")
    svc = sum(1 for _ in open(services, encoding="utf-8")) - 1
    many, many_n = services_1500(county, work)
    scipy_bounded = scipy_peer(lc, roads, cache, services, work, log, stages, row, many)
    s, rss, err = timed(base + ["--mode", "walk,ebike,car", "--graph-cache", cache, "-o", work / "cov-all"], log)
    row("coverage walk+ebike+car: from the cache", s, rss, f"{rss / nodes:.0f} B/node")

    car_cache = work / f"x{a.scale}-car.lcgraph"
    for file, n in [(services, svc), (many, many_n)]:
        s, rss, err = timed([lc, "isochrones", "--roads", roads, "--services", file, "--mode", "car", "--minutes",
                             "5,10,15", "--graph-cache", car_cache, "--threads", a.threads, "-o", work / "iso-car"], log)
        size = (work / "iso-car" / "isochrones.geojson").stat().st_size / 2**20
        row(f"isochrones car 5/10/15, {n} per-service sets", s, rss,
            f"circle {stage(err, 'car: union circle'):.2f} s, per-service "
            f"{stage(err, f'car: {n} per-service isochrones on {a.threads} threads'):.2f} s, "
            f"write {stage(err, 'writing ' + str(work / 'iso-car')):.2f} s ({size:.0f} MiB GeoJSON)"
            + (f"; scipy's searches alone {scipy_bounded:.1f} s: {scipy_bounded / s:.1f}x" if scipy_bounded and n == many_n else ""))

    # About 1,800 grid candidates: one try at 3 km, then the spacing that scales to 1,800.
    plan = [lc, "plan", "--roads", roads, "--graph-cache", car_cache, "--services", services, "--demand", villages,
            "--mode", "car", "--minutes", "15", "--add", "10", "--threads", a.threads, "-o", work / "plan"]
    spacing = 3000.0
    for attempt in range(2):
        s, rss, err = timed(plan + ["--candidates", f"grid:{spacing:.0f}"], log)
        m = re.search(r"candidates and cover matrix \.\.\. ([0-9.]+) s \((\d+) candidates\)", err)
        count = int(m.group(2))
        if attempt == 0:
            spacing *= (count / 1800) ** 0.5
    units = sum(1 for _ in json.loads(villages.read_text(encoding="utf-8"))["features"])
    row(f"plan car 15 min, MCLP k = 10", s, rss,
        f"cover matrix {count:,} candidates x {units:,} units {float(m.group(1)):.2f} s (grid {spacing:.0f} m), "
        f"solve {stage(err, 'choosing 10 sites (MCLP)'):.2f} s, circle after {stage(err, 'circle after the plan'):.2f} s")

    if not a.skip_run:
        scenario = work / f"scenario-x{a.scale}.yaml"
        text = (ROOT / "configs" / "synthetic-county.yaml").read_text()
        text = text.replace("../geodata/synthetic-county/services.csv", str(many))
        text = text.replace("../geodata/synthetic-county", str(county)).replace(
            "file: profiles.yaml", f"file: {ROOT}/configs/profiles.yaml")
        text = text.replace("path: " + str(county) + "/roads.osm.pbf",
                            "path: " + str(county) + "/roads.osm.pbf\n    cache: " + str(cache))
        text = re.sub(r"\n  add: 3 ", "\n  add: 10 ", text)
        scenario.write_text(text)
        s, rss, err = timed([lc, "run", scenario, "--threads", a.threads, "-o", work / "run"], log)
        t = json.loads((work / "run" / "summary.json").read_text()).get("timings", {})
        detail = ", ".join(f"{k} {v:.2f}" for k, v in t.items() if isinstance(v, (int, float)) and v >= 0.5)
        row(f"run ({many_n} services, k = 10, every output)", s, rss, f"{rss / nodes:.0f} B/node; {detail}")
    print(f"(log of every command: {work / f'bench-x{a.scale}.log'})")


if __name__ == "__main__":
    main()
