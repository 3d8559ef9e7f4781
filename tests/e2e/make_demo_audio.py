#!/usr/bin/env python3
"""Render a small deterministic demo library of synthetic dance tracks (WAV, mono 22.05 kHz)
for the browser tests: kick on every beat, off-beat hats, a minor/major triad pad in a known
key, a breakdown without drums in the middle. Stdlib only.

usage: make_demo_audio.py OUT_DIR [--seconds 40]
"""
import argparse
import math
import os
import random
import struct
import wave

SR = 22050
# (artist, title, bpm, tonic pitch class, minor?)
TRACKS = [
    ("Demo Unit", "Night Shift", 124.0, 9, True),    # A minor  (8A)
    ("Demo Unit", "Glass Tower", 126.0, 4, True),    # E minor  (9A)
    ("Synth Club", "Warm Current", 122.0, 0, False), # C major  (8B)
    ("Synth Club", "Low Orbit", 128.0, 2, True),     # D minor  (7A)
    ("Kick Theory", "Static Bloom", 140.0, 6, True), # F# minor (11A)
    ("Kick Theory", "Fast Lane", 174.0, 7, False),   # G major  (9B)
]


def render(bpm, tonic, minor, seconds, seed):
    rnd = random.Random(seed)
    n = int(seconds * SR)
    out = [0.0] * n
    beat = 60.0 / bpm
    third = 3 if minor else 4
    freqs = [220.0 * 2 ** ((tonic - 9 + s) / 12.0) for s in (0, third, 7)]
    bd0, bd1 = seconds * 0.45, seconds * 0.6  # breakdown: pad only
    # pad
    for i in range(n):
        t = i / SR
        amp = 0.12 if bd0 <= t < bd1 else 0.07
        out[i] += amp * sum(math.sin(2 * math.pi * f * t) for f in freqs) / 3.0
    k = 0
    while True:
        t0 = 0.25 + k * beat
        if t0 >= seconds - 0.3:
            break
        if not (bd0 <= t0 < bd1):
            # kick: pitch-dropping sine, 180 ms
            s0 = int(t0 * SR)
            for j in range(int(0.18 * SR)):
                if s0 + j >= n:
                    break
                tt = j / SR
                f = 50.0 + 90.0 * math.exp(-tt * 30.0)
                out[s0 + j] += 0.8 * math.exp(-tt * 18.0) * math.sin(2 * math.pi * f * tt)
            # off-beat hat: 30 ms of noise
            h0 = int((t0 + beat / 2) * SR)
            for j in range(int(0.03 * SR)):
                if h0 + j >= n:
                    break
                out[h0 + j] += 0.15 * math.exp(-j / SR * 120.0) * (rnd.random() * 2 - 1)
        k += 1
    peak = max(1e-9, max(abs(x) for x in out))
    return [x / peak * 0.89 for x in out]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seconds", type=float, default=40.0)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    for i, (artist, title, bpm, tonic, minor) in enumerate(TRACKS):
        path = os.path.join(a.out, f"{artist} - {title}.wav")
        if os.path.exists(path):
            continue
        x = render(bpm, tonic, minor, a.seconds, seed=i)
        with wave.open(path, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(SR)
            w.writeframes(b"".join(struct.pack("<h", int(max(-1, min(1, v)) * 32767)) for v in x))
        print(path)


if __name__ == "__main__":
    main()
