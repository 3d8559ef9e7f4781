#!/usr/bin/env bash
# Developer helper (not part of the product): decode the eval corpus to raw mono f32le at
# 22050 Hz with ffmpeg, for fast iteration on DSP stages before the full pipeline runs.
#   scripts/eval/decode_pcm.sh [CORPUS_ROOT]   -> CORPUS_ROOT/pcm22k/<id>.f32
set -euo pipefail
ROOT="${1:-$HOME/.cache/flowstate-eval}"
mkdir -p "$ROOT/pcm22k"
for f in "$ROOT"/public/*; do
  b=$(basename "$f"); id="${b%.*}"; out="$ROOT/pcm22k/$id.f32"
  [ -s "$out" ] && continue
  ffmpeg -v error -nostdin -i "$f" -ac 1 -ar 22050 -f f32le "$out" 2>/dev/null || { echo "skip $b"; rm -f "$out"; }
done
ls "$ROOT/pcm22k" | wc -l
