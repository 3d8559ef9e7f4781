#!/usr/bin/env python3
"""Perturbation robustness benchmark (developer tool, not part of the product).

From the labelled public eval corpus (~/.cache/flowstate-eval) render transformed copies of a
representative subset into ~/.cache/flowstate-robust/<transform>/{public/, pcm22k/,
manifest-public.json}, with a derived manifest whose labels follow from the transform, then run
the two existing measuring tools on each (`flowstate bench` + shared/eval/score.py, and the
`eval_features` example) and write one table.

usage:
  robustness.py subset                          # print the subset and why
  robustness.py render  [-t T1,T2] [--force]    # render transformed corpora
  robustness.py measure [-t T1,T2] --flowstate BIN --eval-features BIN
  robustness.py table   [--md OUT.md]           # table from the stored results
  robustness.py all     [-t ...] --flowstate BIN --eval-features BIN [--md OUT.md] [--clean]
(`-t` defaults to every transform; `baseline` is the untransformed subset, linked not copied.)

Subset: every public file that is not an edge case (edge_case == null), has bpm + key labels,
one file per `variant_group` (the same master delivered in several codecs counts once), at most
2 per genre (lowest ids first) -> 24 files over 13 genres (about 80 audio minutes).

Source audio: each subset file is decoded once with ffmpeg (which removes MP3/AAC encoder delay
from the gapless info, so times stay aligned with the labels) to float32 WAV at its own rate and
channel count (cache in <OUT>/_src, reused). Renders are 16-bit FLAC (sox dithers) unless stated.
pcm22k/<id>.f32 is made from the rendered file exactly as scripts/eval/decode_pcm.sh does.

Why the derived labels are right, per transform (r = tempo ratio, n = semitones):
  stretch_0.94 .. stretch_1.06   sox `tempo -m r` (WSOLA, pitch kept). BPM x r, every time
      label / r, key unchanged. Approximate at the ~10 ms level: WSOLA moves each segment by up
      to its search window, so local onsets can be off by a few ms (far inside a beat / bar
      tolerance); the long-term time map is exactly t/r (sox keeps the output length = in/r).
      LUFS label dropped (WSOLA overlap-add changes the level of decorrelated content slightly).
  pitch_-1, pitch_+2   sox `pitch 100n` (= WSOLA tempo change + resampling, so duration and times
      are kept up to the same few-ms WSOLA jitter). Key tonic + n (mod 12), mode kept, Camelot
      and key name recomputed from tonic pc + mode; BPM and times unchanged. LUFS dropped
      (K-weighting is frequency dependent).
  vinyl_+1   sox `speed 2^(1/12)` = resampling: every sample time t -> t/r exactly, every
      frequency x r exactly. BPM x r, times / r, key +1 semitone. LUFS dropped.
  gain_-12   sox `gain -12` (exact linear scale, no clipping possible since peaks <= 0 dBFS).
      LUFS - 12 exactly (BS.1770 is scale-equivariant, the gates are relative / far below).
  gain_+6_lim   +6 dB then ffmpeg `alimiter` (limit -0.5 dBFS, 5 ms attack, 50 ms release): the
      loud-master case. LUFS label = ref + 6 only for files whose peak + 6 <= -0.5 dBFS (limiter
      never acts, so the change is exactly +6); dropped elsewhere. Everything else unchanged.
  gain_+6_float   +6 dB written as 32-bit float WAV (no clipping: samples above 1.0 are kept, as
      DAW float exports do). LUFS + 6 exactly for every file.
  mp3_96k   ffmpeg libmp3lame CBR 96 kb/s stereo. mp3_64k_mono: CBR 64 kb/s, downmixed to mono.
      Times unchanged (ffmpeg writes the LAME gapless header; a decoder that ignores it sees
      ~25-50 ms of extra delay, far inside the tolerances). Key/BPM unchanged. LUFS: kept for
      96k (same convention as the corpus: loudness of the PCM before lossy encoding). Measured:
      the 96 kb/s encode itself is ~0.4 LU quieter (ffmpeg's ebur128 agrees), so this label is
      off by that much; dropped for mono (a mono downmix of stereo measures ~3 LU lower by
      BS.1770's channel sum, and whether a player treats it as dual-mono is a convention).
  lowpass_4k   sox `sinc -4000` (steep FIR low-pass, old low-rate rip); highpass_150: sox
      `sinc 150` (no sub-bass, laptop speakers). Linear-phase FIR: group delay is compensated by
      sox, so times are unchanged. BPM, key, times unchanged; LUFS dropped.
  pink_20db, white_20db   additive Gaussian pink (1/f power, shaped in the FFT domain) or white
      noise, independent per channel, at 20 dB SNR relative to the mean power of the file's
      non-silent samples (|x| above -60 dBFS). BPM, key, times unchanged. LUFS label kept
      (approximate: noise 20 dB down adds ~0.04 LU unweighted, < 0.15 LU K-weighted; the noise
      in silent stretches is gated out by the -10 LU relative gate).
  crackle   vinyl-like impulsive noise: Poisson clicks (8/s) of 0.2-1 ms decaying bursts with
      log-uniform peak amplitude between -40 and -16 dB re the file's peak, a few louder pops
      (0.3/s, -10 dB), plus low-level surface rumble (pink noise, 35 dB SNR). Labels as for
      noise (LUFS kept, approximate).
  offset_+3.7   3.7 s of digital silence prepended (sox `pad 3.7`). Every time label + 3.7
      exactly; the first section: if it is already `silence` it just grows, otherwise a
      `silence` section 0..3.7 is inserted (the corpus convention: leading silence is its own
      section); LUFS unchanged (silence is below the -70 LUFS absolute gate).
  cut_0.5   the first 0.5 s removed (sox `trim 0.5`). Every time label - 0.5; labels that fall
      before 0 are dropped or clamped: sections ending before 0 are dropped and the first
      section starts at 0; the beat grid starts at its first beat >= 0 (beat index kept, so
      downbeats stay downbeats); first_beat_s / first_downbeat_s / mix_in_s become the first
      beat / downbeat of the cut file (mix-in is "the first downbeat of beat-carrying music",
      and a bar whose downbeat was cut is not a clean mix-in point). LUFS kept (approximate:
      0.5 s of a ~3 min file).
"""
import argparse
import copy
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

HOME = os.path.expanduser("~")
SRC_ROOT = os.path.join(HOME, ".cache", "flowstate-eval")
OUT_ROOT = os.path.join(HOME, ".cache", "flowstate-robust")
# the eval kit sits beside the repository (../shared/eval); FLOWSTATE_EVAL_KIT overrides it
SCORE_PY = os.path.join(
    os.environ.get("FLOWSTATE_EVAL_KIT")
    or os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "eval"),
    "score.py",
)
NOTE_NAMES = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]
PER_GENRE = 2

# name -> (kind, parameter)
TRANSFORMS = {
    "baseline": ("identity", None),
    "stretch_0.94": ("tempo", 0.94),
    "stretch_0.97": ("tempo", 0.97),
    "stretch_1.03": ("tempo", 1.03),
    "stretch_1.06": ("tempo", 1.06),
    "pitch_-1": ("pitch", -1),
    "pitch_+2": ("pitch", 2),
    "vinyl_+1": ("speed", 1),
    "gain_-12": ("gain", -12.0),
    "gain_+6_lim": ("gain_lim", 6.0),
    "gain_+6_float": ("gain_float", 6.0),
    "mp3_96k": ("mp3", (96, 2)),
    "mp3_64k_mono": ("mp3", (64, 1)),
    "lowpass_4k": ("sox", ["sinc", "-4000"]),
    "highpass_150": ("sox", ["sinc", "150"]),
    "pink_20db": ("noise", "pink"),
    "white_20db": ("noise", "white"),
    "crackle": ("crackle", None),
    "offset_+3.7": ("offset", 3.7),
    "cut_0.5": ("offset", -0.5),
}


def camelot_from(pc, mode):
    if mode == "minor":
        return f"{(7 * pc + 4) % 12 + 1}A"
    return f"{(7 * pc + 7) % 12 + 1}B"


def open_key_from(pc, mode):
    # Open Key: C major = 1d, A minor = 1m; +1 per fifth.
    if mode == "minor":
        return f"{(7 * (pc - 9)) % 12 + 1}m"
    return f"{(7 * pc) % 12 + 1}d"


# ----------------------------------------------------------------------------- subset
def load_manifest(root=SRC_ROOT):
    with open(os.path.join(root, "manifest-public.json")) as f:
        return json.load(f)


def subset(doc):
    seen_groups, per_genre, out = set(), {}, []
    for r in sorted(doc["files"], key=lambda r: r["id"]):
        if r.get("edge_case") is not None or r.get("bpm") is None or r.get("key_tonic_pc") is None:
            continue
        g = r.get("variant_group") or r["id"]
        if g in seen_groups:
            continue
        genre = r.get("genre") or "-"
        if per_genre.get(genre, 0) >= PER_GENRE:
            continue
        seen_groups.add(g)
        per_genre[genre] = per_genre.get(genre, 0) + 1
        out.append(r)
    return out


# ----------------------------------------------------------------------------- labels
TIME_KEYS_TOP = ["first_beat_s", "first_downbeat_s", "mix_in_s", "mix_out_s", "duration_s"]
TIME_KEYS_INTRO = ["lead_silence_s", "start_s", "end_s"]
TIME_KEYS_OUTRO = ["start_s", "end_s", "fade_start_s", "last_beat_s", "music_end_s"]


def _map_times(r, f):
    """Apply the time map f to every time label of record r (in place)."""
    for k in TIME_KEYS_TOP:
        if r.get(k) is not None:
            r[k] = f(r[k])
    for s in r.get("sections") or []:
        for k in ("start_s", "end_s"):
            if s.get(k) is not None:
                s[k] = f(s[k])
    for k in TIME_KEYS_INTRO:
        it = r.get("intro") or {}
        if it.get(k) is not None and k != "lead_silence_s":
            it[k] = f(it[k])
    for k in TIME_KEYS_OUTRO:
        ot = r.get("outro") or {}
        if ot.get(k) is not None:
            ot[k] = f(ot[k])
    r["vocal_segments"] = [[f(a), f(b)] for a, b in (r.get("vocal_segments") or [])]
    for g in r.get("beat_grid") or []:
        g["start_s"] = f(g["start_s"])


def _scale_tempo(r, ratio):
    """Audio played `ratio` times faster: BPM x ratio, times / ratio."""
    for k in ("bpm", "bpm_nominal"):
        if r.get(k) is not None:
            r[k] *= ratio
    r["bpm_also_acceptable"] = [b * ratio for b in (r.get("bpm_also_acceptable") or [])]
    _map_times(r, lambda t: t / ratio)
    it = r.get("intro") or {}
    if it.get("lead_silence_s") is not None:
        it["lead_silence_s"] /= ratio
    for g in r.get("beat_grid") or []:
        g["bpm"] *= ratio
        g["sec_per_beat"] /= ratio
        g.pop("tempo_us_per_quarter", None)


def _transpose(r, n):
    pc = (r["key_tonic_pc"] + n) % 12
    mode = r["key_mode"]
    r["key_tonic_pc"] = pc
    r["key"] = f"{NOTE_NAMES[pc]} {mode}"
    r["camelot"] = camelot_from(pc, mode)
    r["open_key"] = open_key_from(pc, mode)
    r.pop("key_alt", None)
    r.pop("key_check", None)


def _offset(r, d):
    """Shift all times by d (d > 0: silence prepended; d < 0: -d seconds cut from the start)."""
    _map_times(r, lambda t: t + d)
    it = r.get("intro") or {}
    secs = r.get("sections") or []
    if d > 0:
        if it.get("lead_silence_s") is not None:
            it["lead_silence_s"] += d
        if secs and secs[0].get("type") == "silence":
            secs[0]["start_s"] = 0.0
        else:
            secs.insert(0, {"label": "silence", "type": "silence", "start_s": 0.0, "end_s": d,
                            "start_bar": None, "bars": None, "energy": 0, "vocal": False, "beats": False})
        return
    # cut: drop what now lies before 0
    secs = [s for s in secs if s.get("end_s") is None or s["end_s"] > 0.0]
    if secs and secs[0]["start_s"] < 0.0:
        secs[0]["start_s"] = 0.0
    r["sections"] = secs
    if it.get("lead_silence_s") is not None:
        it["lead_silence_s"] = max(0.0, it["lead_silence_s"] + d)
    if it.get("start_s") is not None and it["start_s"] < 0:
        it["start_s"] = None
    r["vocal_segments"] = [[max(a, 0.0), b] for a, b in r["vocal_segments"] if b > 0.0]
    grids = r.get("beat_grid") or []
    for g in grids:
        if g["start_s"] < -1e-6:
            k = math.ceil((-g["start_s"] - 1e-6) / g["sec_per_beat"])
            g["start_s"] += k * g["sec_per_beat"]
            g["first_beat_index"] = g.get("first_beat_index", 0) + k
            g["n_beats"] = g.get("n_beats", 0) - k
    if grids:
        g = grids[0]
        beats = [g["start_s"] + i * g["sec_per_beat"] for i in range(max(g["n_beats"], 0))]
        idx = [g["first_beat_index"] + i for i in range(len(beats))]
        if r.get("first_beat_s") is not None and r["first_beat_s"] < 0 and beats:
            r["first_beat_s"] = beats[0]
        down = [b for b, i in zip(beats, idx) if i % 4 == 0]
        if r.get("first_downbeat_s") is not None and r["first_downbeat_s"] < 0 and down:
            r["first_downbeat_s"] = down[0]
        if r.get("mix_in_s") is not None and r["mix_in_s"] < 0:
            # mix-in was on the grid (first downbeat of beat-carrying music): next downbeat >= 0
            spb = g["sec_per_beat"]
            m = r["mix_in_s"]
            while m < -1e-6:
                m += 4 * spb
            r["mix_in_s"] = m
    for k in ("first_beat_s", "first_downbeat_s", "mix_out_s"):
        if r.get(k) is not None and r[k] < 0:
            r[k] = None


def derive(r, name):
    kind, p = TRANSFORMS[name]
    r = copy.deepcopy(r)
    r["robustness_transform"] = name
    keep_lufs = True
    if kind == "tempo":
        _scale_tempo(r, p)
        keep_lufs = False
    elif kind == "pitch":
        _transpose(r, p)
        keep_lufs = False
    elif kind == "speed":
        _scale_tempo(r, 2.0 ** (p / 12.0))
        _transpose(r, p)
        keep_lufs = False
    elif kind == "gain":
        r["lufs_integrated"] = r["lufs_integrated"] + p if r.get("lufs_integrated") is not None else None
        if r.get("peak_dbfs") is not None:
            r["peak_dbfs"] += p
    elif kind == "gain_float":
        r["lufs_integrated"] = r["lufs_integrated"] + p if r.get("lufs_integrated") is not None else None
        if r.get("peak_dbfs") is not None:
            r["peak_dbfs"] += p
    elif kind == "gain_lim":
        peak = r.get("peak_dbfs")
        if peak is not None and peak + p <= -0.5 and r.get("lufs_integrated") is not None:
            r["lufs_integrated"] += p
            r["peak_dbfs"] = peak + p
        else:
            keep_lufs = False
    elif kind == "mp3":
        keep_lufs = p[1] == 2
    elif kind == "sox":
        keep_lufs = False
    elif kind == "offset":
        _offset(r, p)
    if not keep_lufs:
        r["lufs_integrated"] = None
        r["peak_dbfs"] = None
    return r


# ----------------------------------------------------------------------------- audio
def run(cmd, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}\n{p.stderr[-2000:]}")
    return p


def src_wav(r, out_root):
    d = os.path.join(out_root, "_src")
    os.makedirs(d, exist_ok=True)
    w = os.path.join(d, f"{r['id']}.wav")
    if not os.path.exists(w):
        tmp = w + ".tmp.wav"
        run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-i", os.path.join(SRC_ROOT, r["path"]),
             "-c:a", "pcm_f32le", tmp])
        os.replace(tmp, w)
    return w


def read_wav_f32(path):
    """Read the float32 WAV we wrote ourselves (ffmpeg pcm_f32le): returns (frames x ch, rate)."""
    p = run(["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries", "stream=sample_rate,channels",
             "-of", "csv=p=0", path])
    sr, ch = (int(x) for x in p.stdout.strip().split(","))
    raw = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", path, "-f", "f32le", "-c:a", "pcm_f32le", "-"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype="<f4").reshape(-1, ch).astype(np.float64), sr


def write_flac(x, sr, path):
    x = np.clip(x, -1.0, 1.0 - 1.0 / 32768)
    ch = x.shape[1]
    p = subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-f", "f32le", "-ar", str(sr), "-ac", str(ch),
                        "-i", "-", "-c:a", "flac", "-sample_fmt", "s16", path],
                       input=x.astype("<f4").tobytes(), capture_output=True)
    if p.returncode != 0:
        raise RuntimeError(p.stderr.decode()[-2000:])


def pink(n, rng):
    spec = rng.standard_normal(n // 2 + 1) + 1j * rng.standard_normal(n // 2 + 1)
    f = np.arange(n // 2 + 1, dtype=np.float64)
    f[0] = 1.0
    spec /= np.sqrt(f)
    spec[0] = 0.0
    y = np.fft.irfft(spec, n)
    return y / np.sqrt(np.mean(y ** 2))


def signal_power(x):
    a = np.abs(x).max(axis=1)
    active = x[a > 1e-3]
    return float(np.mean(active ** 2)) if len(active) else 1e-12


def add_noise(x, color, snr_db, rng):
    p = signal_power(x)
    out = x.copy()
    for c in range(x.shape[1]):
        n = pink(len(x), rng) if color == "pink" else rng.standard_normal(len(x))
        out[:, c] += n * math.sqrt(p / 10 ** (snr_db / 10.0))
    return out


def add_crackle(x, sr, rng):
    out = add_noise(x, "pink", 35.0, rng)
    peak = float(np.abs(x).max()) or 1.0
    dur = len(x) / sr
    for rate, lo_db, hi_db in ((8.0, -40.0, -16.0), (0.3, -12.0, -8.0)):
        k = rng.poisson(rate * dur)
        pos = rng.integers(0, len(x), k)
        amps = peak * 10 ** (rng.uniform(lo_db, hi_db, k) / 20.0) * rng.choice([-1.0, 1.0], k)
        lens = (rng.uniform(0.2e-3, 1e-3, k) * sr).astype(int) + 2
        for p0, a, L in zip(pos, amps, lens):
            L = min(L, len(x) - p0)
            t = np.arange(L)
            burst = a * np.exp(-t / max(L / 4.0, 1.0)) * rng.uniform(0.5, 1.0, L)
            for c in range(x.shape[1]):
                out[p0:p0 + L, c] += burst
    return out


def render_one(r, name, tdir):
    kind, p = TRANSFORMS[name]
    src = src_wav(r, OUT_ROOT)
    pub = os.path.join(tdir, "public")
    rng = np.random.default_rng(int(r["seed"]) % (2 ** 32) if r.get("seed") else 1)
    flac = os.path.join(pub, f"{r['id']}.flac")
    if kind == "tempo":
        run(["sox", "-G", src, "-b", "16", flac, "tempo", "-m", f"{p}"])
        out = flac
    elif kind == "pitch":
        run(["sox", "-G", src, "-b", "16", flac, "pitch", f"{100 * p}"])
        out = flac
    elif kind == "speed":
        run(["sox", "-G", src, "-b", "16", flac, "speed", f"{2.0 ** (p / 12.0):.10f}"])
        out = flac
    elif kind == "gain":
        run(["sox", src, "-b", "16", flac, "gain", f"{p}"])
        out = flac
    elif kind == "gain_lim":
        run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-i", src, "-af",
             f"volume={p}dB,alimiter=limit={10 ** (-0.5 / 20):.6f}:attack=5:release=50:level=0",
             "-c:a", "flac", "-sample_fmt", "s16", flac])
        out = flac
    elif kind == "gain_float":
        out = os.path.join(pub, f"{r['id']}.wav")
        run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-i", src, "-af", f"volume={p}dB", "-c:a", "pcm_f32le", out])
    elif kind == "mp3":
        out = os.path.join(pub, f"{r['id']}.mp3")
        run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-i", src, "-ac", str(p[1]), "-c:a", "libmp3lame",
             "-b:a", f"{p[0]}k", out])
    elif kind == "sox":
        run(["sox", "-G", src, "-b", "16", flac] + p)
        out = flac
    elif kind in ("noise", "crackle"):
        x, sr = read_wav_f32(src)
        y = add_noise(x, p, 20.0, rng) if kind == "noise" else add_crackle(x, sr, rng)
        g = 1.0 / max(1.0, float(np.abs(y).max()) / 0.999)  # never clip (gain <= 1 only if needed)
        write_flac(y * g, sr, flac)
        if g < 1.0:
            r["_gain_db"] = 20 * math.log10(g)
        out = flac
    elif kind == "offset":
        if p > 0:
            run(["sox", src, "-b", "16", flac, "pad", f"{p}"])
        else:
            run(["sox", src, "-b", "16", flac, "trim", f"{-p}"])
        out = flac
    else:
        raise ValueError(kind)
    pcm = os.path.join(tdir, "pcm22k", f"{r['id']}.f32")
    run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-i", out, "-ac", "1", "-ar", "22050", "-f", "f32le", pcm])
    return os.path.relpath(out, tdir)


def render(name, recs, force=False, jobs=2):
    tdir = os.path.join(OUT_ROOT, name)
    man_path = os.path.join(tdir, "manifest-public.json")
    if os.path.exists(man_path) and not force and os.path.isdir(os.path.join(tdir, "pcm22k")):
        # already rendered: keep the manifest in step with the current subset
        ids = {r["id"] for r in recs}
        doc = json.load(open(man_path))
        have = {r["id"] for r in doc["files"]}
        if ids <= have:
            if have != ids:
                doc["files"] = [r for r in doc["files"] if r["id"] in ids]
                doc["n_files"] = len(doc["files"])
                with open(man_path, "w") as f:
                    json.dump(doc, f, indent=1)
            return tdir
    if os.path.isdir(tdir):
        shutil.rmtree(tdir)
    os.makedirs(os.path.join(tdir, "public"))
    os.makedirs(os.path.join(tdir, "pcm22k"))
    doc = load_manifest()
    t0 = time.time()
    files = []
    if name == "baseline":
        for r in recs:
            ext = os.path.splitext(r["path"])[1]
            os.symlink(os.path.join(SRC_ROOT, r["path"]), os.path.join(tdir, "public", r["id"] + ext))
            os.symlink(os.path.join(SRC_ROOT, "pcm22k", r["id"] + ".f32"), os.path.join(tdir, "pcm22k", r["id"] + ".f32"))
            d = copy.deepcopy(r)
            d["path"] = f"public/{r['id']}{ext}"
            files.append(d)
    else:
        for r in recs:  # decode sources serially first (cached)
            src_wav(r, OUT_ROOT)

        def job(r):
            d = derive(r, name)
            rel = render_one(d, name, tdir)
            d["path"] = rel
            d["format"] = os.path.splitext(rel)[1].lstrip(".")
            d.pop("bytes", None)
            return d

        with ThreadPoolExecutor(max_workers=jobs) as ex:
            files = list(ex.map(job, recs))
    out = {k: v for k, v in doc.items() if k != "files"}
    out["split"] = "public"
    out["robustness"] = {"transform": name, "spec": repr(TRANSFORMS[name]), "source": SRC_ROOT,
                         "script": "scripts/eval/robustness.py", "render_seconds": round(time.time() - t0, 1)}
    out["n_files"] = len(files)
    out["files"] = files
    with open(man_path, "w") as f:
        json.dump(out, f, indent=1)
    print(f"rendered {name}: {len(files)} files in {time.time() - t0:.0f} s", file=sys.stderr)
    return tdir


# ----------------------------------------------------------------------------- measure
def measure(name, flowstate, eval_features, clean=False):
    tdir = os.path.join(OUT_ROOT, name)
    man = os.path.join(tdir, "manifest-public.json")
    csv = os.path.join(tdir, "bench.csv")
    res = {"transform": name}
    t0 = time.time()
    # bench (2 worker threads) and eval_features (single-threaded) run side by side
    pb = subprocess.Popen([flowstate, "bench", os.path.join(tdir, "public"), "--manifest", man, "--csv", csv,
                           "-j", "1"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    pe = subprocess.Popen([eval_features, tdir, "-v"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    eo, _ = pe.communicate()
    bo, _ = pb.communicate()
    with open(os.path.join(tdir, "eval_features.txt"), "w") as f:
        f.write(eo)
    with open(os.path.join(tdir, "bench.txt"), "w") as f:
        f.write(bo)
    sp = run([sys.executable, SCORE_PY, man, csv, "--audio-root", tdir, "--per-file"])
    with open(os.path.join(tdir, "score.txt"), "w") as f:
        f.write(sp.stdout)
    for line in sp.stdout.splitlines():
        if line.startswith("| bench |"):
            c = [x.strip() for x in line.strip("|").split("|")]
            res.update(n=c[1], acc1=c[2], acc2=c[3], acc1alt=c[4], key_exact=c[5], key_mirex=c[6],
                       lufs_mae=c[8], failed=c[11])
        m = re.search(r"\((\d+) with tempo, (\d+) with key, (\d+) with LUFS", line)
        if m:
            res["lufs_n"] = int(m.group(3))
    pats = {"energy": r"energy Spearman: (-?[\d.]+|NaN)", "section_f": r"section boundaries.* F ([\d.]+)",
            "mix_in": r"mix-in within 1 bar: \S+ = ([\d.]+)", "mix_out": r"mix-out within 1 bar: \S+ = ([\d.]+)",
            "vocal": r"vocal presence accuracy: \S+ = ([\d.]+)"}
    for k, p in pats.items():
        m = re.search(p, eo)
        res[k] = m.group(1) if m else "?"
    res["measure_seconds"] = round(time.time() - t0, 1)
    with open(os.path.join(tdir, "result.json"), "w") as f:
        json.dump(res, f, indent=1)
    if clean and name != "baseline":
        shutil.rmtree(os.path.join(tdir, "public"), ignore_errors=True)
        shutil.rmtree(os.path.join(tdir, "pcm22k"), ignore_errors=True)
    print(f"measured {name} in {res['measure_seconds']:.0f} s: {res}", file=sys.stderr)
    return res


def table(names):
    rows = []
    hdr = ("| transform | n | tempo Acc1 | Acc2 | Acc1 or half-time | key exact | key MIREX | LUFS MAE (n) "
           "| section F | mix-in | mix-out | energy Spearman | vocal acc |")
    rows.append(hdr)
    rows.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in names:
        p = os.path.join(OUT_ROOT, n, "result.json")
        if not os.path.exists(p):
            continue
        r = json.load(open(p))

        def pc(v):
            try:
                return f"{100 * float(v):.1f}%"
            except ValueError:
                return v
        lufs = f"{r.get('lufs_mae', '-')} ({r.get('lufs_n', 0)})" if r.get("lufs_n") else "- (0)"
        rows.append(f"| {n} | {r.get('n')} | {r.get('acc1')} | {r.get('acc2')} | {r.get('acc1alt')} | {r.get('key_exact')} "
                    f"| {r.get('key_mirex')} | {lufs} | {r.get('section_f')} | {pc(r.get('mix_in'))} "
                    f"| {pc(r.get('mix_out'))} | {r.get('energy')} | {pc(r.get('vocal'))} |")
    return "\n".join(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cmd", choices=["subset", "render", "measure", "table", "all"])
    ap.add_argument("-t", "--transforms", default=",".join(TRANSFORMS))
    ap.add_argument("--force", action="store_true")
    ap.add_argument("--clean", action="store_true", help="delete rendered audio after measuring")
    ap.add_argument("--flowstate")
    ap.add_argument("--eval-features")
    ap.add_argument("--md")
    a = ap.parse_args()
    names = [t for t in a.transforms.split(",") if t]
    for t in names:
        if t not in TRANSFORMS:
            sys.exit(f"unknown transform {t}; known: {', '.join(TRANSFORMS)}")
    recs = subset(load_manifest())
    if a.cmd == "subset":
        for r in recs:
            print(r["id"], r["genre"], r["format"], r["bpm"], r["camelot"], r["lufs_integrated"], r.get("peak_dbfs"))
        print(len(recs), "files")
        return
    if a.cmd in ("render", "all"):
        for t in names:
            render(t, recs, force=a.force)
            if a.cmd == "all":
                measure(t, a.flowstate, a.eval_features, clean=a.clean)
    if a.cmd == "measure":
        for t in names:
            measure(t, a.flowstate, a.eval_features, clean=a.clean)
    if a.cmd in ("table", "all", "measure"):
        text = table(names)
        print(text)
        if a.md:
            with open(a.md, "w") as f:
                f.write(text + "\n")


if __name__ == "__main__":
    main()
