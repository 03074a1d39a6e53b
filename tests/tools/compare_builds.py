#!/usr/bin/env python3
"""Behaviour check for refactors: runs every shipped scenario (configs/*.yaml) and every example
command (examples/*.sh, plus `plan` and `report` as the README gives them) with two legalcircle
binaries and compares every output file, ignoring only timings and the run date.

    tests/tools/compare_builds.py OLD_BINARY NEW_BINARY [--work DIR] [--keep]

Exit 0 when every file is equal, 1 otherwise (the differing files are listed)."""
import argparse, json, os, re, shutil, sqlite3, subprocess, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"
VOLATILE_KEYS = {"timings", "run_date"}
RUN_DATE = re.compile(rb"\d{4}-\d\d-\d\d \d\d:\d\d (UTC|[+-]\d\d:\d\d)")


def jobs():
    """(name, argv-with-{bin}-and-{out}, env-or-None) for every command compared."""
    out = []
    for cfg in sorted((ROOT / "configs").glob("*.yaml")):
        if cfg.name == "profiles.yaml":
            continue
        out.append((f"run-{cfg.stem}", ["{bin}", "run", str(cfg), "-o", "{out}", "-q"], None))
    for sh in ("synthetic-county.sh", "porto.sh", "north-bayreuth.sh"):
        out.append((f"example-{sh[:-3]}", ["bash", str(ROOT / "examples" / sh)], {"LEGALCIRCLE": "{bin}", "OUT": "{out}"}))
    g = ROOT / "geodata" / "synthetic-county"
    base = ["{bin}", "plan", "--roads", str(g / "roads.osm.pbf"), "--services", str(g / "services.csv"),
            "--demand", str(g / "villages.geojson"), "--mode", "walk", "--minutes", "15"]
    out.append(("plan-mclp", base + ["--candidates", "demand", "--add", "5", "-o", "{out}"], None))
    out.append(("plan-lscp", base + ["--candidates", "grid:500", "--target", "0.6", "-o", "{out}"], None))
    out.append(("coverage-default", ["{bin}", "coverage", "-o", "{out}"], None))
    out.append(("isochrones-default", ["{bin}", "isochrones", "--geotiff", "-o", "{out}"], None))
    return out


def run_all(binary, work):
    results = {}
    for name, argv, env in jobs():
        out = work / name
        fill = lambda s: s.replace("{bin}", str(binary)).replace("{out}", str(out))
        e = dict(os.environ)
        if env:
            e.update({k: fill(v) for k, v in env.items()})
        p = subprocess.run([fill(a) for a in argv], env=e, capture_output=True)
        results[name] = p.returncode
        if p.returncode != 0:
            sys.stderr.write(f"{binary}: {name} exited {p.returncode}\n{p.stderr.decode(errors='replace')[-2000:]}\n")
    # The report command re-rendering a run's folder, in both languages.
    for lang in ("zh", "en"):
        src = work / "run-synthetic-county"
        dst = work / f"report-{lang}"
        dst.mkdir(parents=True, exist_ok=True)
        p = subprocess.run([str(binary), "report", str(src), "--lang", lang, "-o", str(dst / "report.html")],
                           capture_output=True)
        results[f"report-{lang}"] = p.returncode
    return results


def strip_volatile(v):
    if isinstance(v, dict):
        # Seconds (keys ending in _s, rates ending in _per_s) are timings too.
        return {k: strip_volatile(x) for k, x in v.items()
                if k not in VOLATILE_KEYS and not k.endswith("_s")}
    if isinstance(v, list):
        return [strip_volatile(x) for x in v]
    return v


def gpkg_dump(path):
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    lines = []
    for (table,) in con.execute("select name from sqlite_master where type='table' order by name"):
        cols = [r[1] for r in con.execute(f'pragma table_info("{table}")')]
        for row in con.execute(f'select * from "{table}"'):
            cells = ["" if c == "last_change" else repr(x) for c, x in zip(cols, row)]
            lines.append(f"{table}|" + "|".join(cells))
    con.close()
    return "\n".join(sorted(lines)).encode()


def normalised(path, roots):
    # Each build names its own checkout in embedded-default paths, this script's in scenario paths.
    data = path.read_bytes()
    for root in sorted({str(r) for r in roots}, key=len, reverse=True):
        data = data.replace(root.encode(), b"<checkout>")
    if path.suffix == ".json":
        return json.dumps(strip_volatile(json.loads(data)), indent=1, ensure_ascii=False).encode()
    if path.suffix == ".gpkg":
        return gpkg_dump(path)
    if path.suffix == ".html":
        return RUN_DATE.sub(b"<run date>", data)
    return data


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("old")
    ap.add_argument("new")
    ap.add_argument("--work", help="folder for both runs' outputs (default: a temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep the outputs")
    a = ap.parse_args()
    if not SHARED.is_dir():
        sys.exit(f"{SHARED} is missing: the examples need the shared extracts")
    work = Path(a.work) if a.work else Path(tempfile.mkdtemp(prefix="legalcircle-compare-"))
    codes = {}
    # A binary at <checkout>/build/legalcircle knows <checkout> as its source folder.
    all_roots = [Path(a.old).resolve().parents[1], Path(a.new).resolve().parents[1], ROOT]
    for side, binary in (("old", a.old), ("new", a.new)):
        (work / side).mkdir(parents=True, exist_ok=True)
        codes[side] = run_all(Path(binary).resolve(), work / side)
    differ = [f"exit codes of {n}: {codes['old'][n]} vs {codes['new'][n]}" for n in codes["old"]
              if codes["old"][n] != codes["new"][n]]
    files_old = {p.relative_to(work / "old") for p in (work / "old").rglob("*") if p.is_file()}
    files_new = {p.relative_to(work / "new") for p in (work / "new").rglob("*") if p.is_file()}
    differ += [f"only in old: {p}" for p in sorted(files_old - files_new)]
    differ += [f"only in new: {p}" for p in sorted(files_new - files_old)]
    same = 0
    for rel in sorted(files_old & files_new):
        if normalised(work / "old" / rel, all_roots) == normalised(work / "new" / rel, all_roots):
            same += 1
        else:
            differ.append(f"differs: {rel}")
    print(f"{len(codes['old'])} commands, {same} files equal, {len(differ)} differences")
    for d in differ:
        print("  " + d)
    if not a.keep and not a.work:
        shutil.rmtree(work)
    else:
        print(f"outputs in {work}")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
