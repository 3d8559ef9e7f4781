#!/usr/bin/env python3
"""Checks a `flowstate bench` CSV (or `flowstate tracks --json` output) against the eval
manifest: integrated LUFS within TOL LU of `lufs_integrated` for every valid file, and a
reason for every edge case. Exit 0 when all pass.

usage: check_lufs.py MANIFEST.json BENCH.csv [--tol 0.2]
"""
import csv, json, os, sys

def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    tol = 0.2
    if "--tol" in sys.argv:
        tol = float(sys.argv[sys.argv.index("--tol") + 1])
        args = [a for a in args if a != str(tol) and a != sys.argv[sys.argv.index("--tol") + 1]]
    man = json.load(open(args[0]))
    rows = {}
    with open(args[1], newline="") as f:
        for r in csv.DictReader(f):
            rows[os.path.normpath(r["relative_path"])] = r
    bad = 0
    worst = 0.0
    n_valid = 0
    for m in man["files"]:
        rel = os.path.normpath(m["path"])
        r = rows.get(rel)
        ref = m.get("lufs_integrated")
        edge = m.get("edge_case")
        if r is None:
            print(f"MISSING ROW {rel}")
            bad += 1
            continue
        err = (r.get("error") or "").strip()
        if ref is None:
            # Edge case / unlabelled: must have a reason OR a null loudness (silence).
            status = f"error: {err}" if err else f"ok, lufs={r.get('lufs') or 'null'}"
            print(f"edge {rel} ({edge}): {status}")
            continue
        n_valid += 1
        if err or not r.get("lufs"):
            print(f"FAIL {rel}: no loudness ({err})")
            bad += 1
            continue
        d = abs(float(r["lufs"]) - float(ref))
        worst = max(worst, d)
        if d > tol:
            print(f"FAIL {rel} ({m.get('format')}): {r['lufs']} vs {ref} (|d|={d:.3f})")
            bad += 1
    print(f"{n_valid} valid files, worst |LUFS error| = {worst:.3f} LU, {bad} failing (tol {tol})")
    sys.exit(1 if bad else 0)

if __name__ == "__main__":
    main()
