#!/usr/bin/env python3
"""Write a deterministic synthetic library of CODEX v1.1 documents (no audio files) so the
browser tests have a library big enough to page, sort and filter. Stdlib only.

usage: make_demo_library.py --n 300 --out lib.json
"""
import argparse
import json
import random

GENRES = {
    "house": (118, 128, ["deep house", "tech house", "classic house"]),
    "techno": (124, 140, ["minimal techno", "peak time techno", "dub techno"]),
    "drum and bass": (170, 178, ["liquid", "neurofunk"]),
    "disco": (110, 124, ["nu disco", "italo disco"]),
    "downtempo": (85, 110, ["trip hop", "chillout"]),
    "trance": (132, 140, ["progressive trance", "uplifting trance"]),
}
VIBES = ["dark", "bright", "hypnotic", "euphoric", "chill", "aggressive"]
INTENSITY = ["opener", "journey", "peak", "closer"]
WORDS = ["Neon", "Echo", "Velvet", "Static", "Midnight", "Solar", "Drift", "Pulse", "Harbor",
         "Glass", "Orbit", "Ember", "Signal", "Tide", "Motion", "Prism", "Dust", "Cascade"]
ARTISTS = ["Mara Lux", "Teo Vance", "Kilo Nine", "Odd Atlas", "Sera Moon", "Dub Unit",
           "Lena Park", "Rift", "Low Heat", "Nova Arc", "Jun Ito", "The Fold"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    r = random.Random(a.seed)
    docs = []
    for i in range(a.n):
        g = r.choice(sorted(GENRES))
        lo, hi, subs = GENRES[g]
        energy = r.randint(1, 10)
        docs.append({
            "track_id": f"demo{i:04d}",
            "title": f"{r.choice(WORDS)} {r.choice(WORDS)}",
            "artist": r.choice(ARTISTS),
            "bpm": round(r.uniform(lo, hi), 1),
            "key": f"{r.randint(1, 12)}{r.choice('AB')}",
            "energy": energy,
            "danceability": max(1, min(10, energy + r.randint(-2, 2))),
            "intensity": r.choice(INTENSITY),
            "vibe": r.choice(VIBES),
            "genre": g,
            "subgenre": r.choice(subs),
            "mix_in_ease": r.randint(3, 10),
            "mix_out_ease": r.randint(3, 10),
            "vocal_presence": r.choice(["instrumental", "male", "female", "mixed"]),
            "duration_seconds": round(r.uniform(180, 480), 1),
        })
    with open(a.out, "w") as f:
        json.dump(docs, f, indent=0)


if __name__ == "__main__":
    main()
