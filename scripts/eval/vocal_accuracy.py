#!/usr/bin/env python3
"""Vocal presence accuracy of two scans of the public eval corpus: DSP only (`scan --no-tagger`,
vocal_probability >= 0.5) and DSP + tagger (`scan`, the document's vocal_presence).
usage: scripts/eval/vocal_accuracy.py DSP_ONLY.db WITH_TAGGER.db  (run from the repo root)"""
import json, subprocess, sys, os
man = json.load(open(os.path.expanduser('~/.cache/flowstate-eval/manifest-public.json')))
truth = {os.path.basename(f['path']): f.get('vocal') for f in man['files'] if f.get('edge_case') not in ('silent', 'zero_byte')}
def load(db): return {os.path.basename(d.get('file_path') or ''): d for d in json.loads(subprocess.check_output(['./target/release/flowstate', '--db', db, 'tracks', '--json']))}
A, B = load(sys.argv[1]), load(sys.argv[2])
n = okA = okB = okBp = 0
for k, t in truth.items():
    if t is None or k not in A or k not in B: continue
    n += 1
    pa = A[k].get('vocal_probability') or 0.0
    okA += ((pa >= 0.5) == t)
    okB += ((B[k].get('vocal_presence') not in (None, 'instrumental')) == t)
print(f"n={n}  DSP only (vocal_probability>=0.5): {okA}/{n} = {okA/n:.3f}   DSP+tagger (vocal_presence): {okB}/{n} = {okB/n:.3f}")
