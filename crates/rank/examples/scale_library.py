#!/usr/bin/env python3
"""Scaled-up synthetic libraries for bench_rank (10k / 100k tracks).

shared/eval/intent/make_library.py draws unique artist names from a space of 894 names and
needs n/5 of them, so it never terminates for n >= ~4,500. This wrapper keeps its generator
and only lets artist names repeat with a numeric suffix ("Nova Reyes 2") once that space is
used up. Usage:
    python3 crates/rank/examples/scale_library.py --n 100000 --seed 7 --out /tmp/lib100k.json
"""
import argparse
import sys

sys.path.insert(0, "/work/shared/eval/intent")
import make_library as ml  # noqa: E402


def make_artists(rnd, n_total):
    names, pools = set(), {}
    wsum = sum(p["w"] for p in ml.P.values())
    for genre, prof in ml.P.items():
        k = max(6, int(round(n_total * prof["w"] / wsum)))
        pool, misses = [], 0
        while len(pool) < k:
            r = rnd.random()
            if r < .55:
                nm = f"{rnd.choice(ml.FIRST)} {rnd.choice(ml.LAST)}"
            elif r < .85:
                nm = rnd.choice(ml.ALIAS_A) + rnd.choice(ml.ALIAS_B)
            else:
                nm = f"DJ {rnd.choice(ml.FIRST)}"
            if nm in names:
                misses += 1
                if misses < 50:
                    continue
                nm = f"{nm} {len(names)}"
            misses = 0
            names.add(nm)
            pool.append(nm)
        pools[genre] = pool
    return pools


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    ml.make_artists = make_artists
    ml.write_library(ml.make_library(a.n, a.seed), a.out)


if __name__ == "__main__":
    main()
