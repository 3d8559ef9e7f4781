#!/usr/bin/env python3
"""Synthesises a small demo library (no downloads, standard library only): a few 40-second
WAV tracks with a kick on every beat, off-beat hats and a bass + chord in a known key.

usage: demo_library.py OUT_DIR
"""
import math, os, random, struct, sys, wave

SR = 22050
NOTES = {"C": 0, "C#": 1, "D": 2, "D#": 3, "E": 4, "F": 5, "F#": 6, "G": 7, "G#": 8, "A": 9, "A#": 10, "B": 11}
TRACKS = [
    ("Demo Collective", "Warehouse Pulse", 124.0, "A", "minor"),
    ("Demo Collective", "Sunrise Drive", 122.0, "C", "major"),
    ("Synth Foundry", "Deep Circuit", 128.0, "F", "minor"),
    ("Synth Foundry", "Night Bus", 118.0, "G", "major"),
    ("Low Frequency Club", "Rolling Bass", 174.0, "D", "minor"),
]

def freq(pc, octave):
    return 440.0 * 2 ** ((pc - 9) / 12 + (octave - 4))

def render(bpm, tonic, mode, seconds=40.0, seed=0):
    rnd = random.Random(seed)
    n = int(seconds * SR)
    out = [0.0] * n
    beat = 60.0 / bpm
    pc = NOTES[tonic]
    third = 3 if mode == "minor" else 4
    chord = [freq(pc, 3), freq((pc + third) % 12, 4), freq((pc + 7) % 12, 4)]
    # pad + bass
    for i in range(n):
        t = i / SR
        v = sum(0.05 * math.sin(2 * math.pi * f * t) for f in chord)
        v += 0.12 * math.sin(2 * math.pi * freq(pc, 2) * t)
        out[i] = v
    # kick on beats, hat on off-beats
    k = 0
    while k * beat < seconds:
        s = int(k * beat * SR)
        for j in range(int(0.15 * SR)):
            if s + j >= n:
                break
            tt = j / SR
            f = 50 + 100 * math.exp(-tt * 30)
            out[s + j] += 0.6 * math.exp(-tt * 18) * math.sin(2 * math.pi * f * tt)
        h = int((k + 0.5) * beat * SR)
        for j in range(int(0.03 * SR)):
            if h + j >= n:
                break
            out[h + j] += 0.08 * math.exp(-j / SR * 120) * (rnd.random() * 2 - 1)
        k += 1
    peak = max(abs(x) for x in out) or 1.0
    return [x / peak * 0.8 for x in out]

def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "demo-library"
    os.makedirs(out_dir, exist_ok=True)
    for i, (artist, title, bpm, tonic, mode) in enumerate(TRACKS):
        path = os.path.join(out_dir, f"{artist} - {title}.wav")
        if os.path.exists(path):
            continue
        x = render(bpm, tonic, mode, seed=i)
        with wave.open(path, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(SR)
            w.writeframes(b"".join(struct.pack("<h", int(max(-1, min(1, v)) * 32767)) for v in x))
        print(f"wrote {path} ({bpm} BPM, {tonic} {mode})")

if __name__ == "__main__":
    main()
