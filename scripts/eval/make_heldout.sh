#!/usr/bin/env bash
# Developer helper (not part of the product): render a held-out evaluation corpus with the
# shared generator, patched to use other SoundFonts (TimGM6mb, MuseScore General) and other
# GM programs than the public split (see heldout_patch.py), then decode it for eval_features.
#
#   scripts/eval/make_heldout.sh [a|b] [OUT_DIR]     (default: a, ~/.cache/flowstate-heldout-<v>)
#
# Needs the public corpus's venv (run ../shared/eval/corpus/make_public.sh once) and installs
# the two Debian SoundFont packages. 48 tracks, ~3 min on 2 cores. Then, e.g.:
#   cargo run --release -p flowstate-analysis --example eval_features -- OUT_DIR
#   flowstate bench OUT_DIR/public --manifest OUT_DIR/manifest-public.json --csv F
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
V="${1:-a}"
OUT="${2:-$HOME/.cache/flowstate-heldout-$V}"
SHARED="$HERE/../../../shared/eval/corpus"
[ -d "$SHARED" ] || SHARED="/work/shared/eval/corpus"
VENV="${FLOWSTATE_EVAL:-$HOME/.cache/flowstate-eval}/venv"
[ -x "$VENV/bin/python" ] || { echo "no generator venv at $VENV: run make_public.sh first" >&2; exit 2; }
for p in timgm6mb-soundfont musescore-general-soundfont-small; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || {
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends "$p" >/dev/null; }
done
GEN="$(mktemp -d)"; trap 'rm -rf "$GEN"' EXIT
cp -r "$SHARED"/. "$GEN"/
python3 "$HERE/heldout_patch.py" "$GEN" "$V"
mkdir -p "$OUT/gen-work"
"$VENV/bin/python" "$GEN/gen_corpus.py" --out "$OUT" --splits heldout --jobs "${JOBS:-2}" --manifest-dir "$OUT"
# eval_features and decode_pcm.sh read OUT/public and OUT/manifest-public.json
ln -sfn heldout "$OUT/public"
ln -sf manifest-heldout.json "$OUT/manifest-public.json"
bash "$HERE/decode_pcm.sh" "$OUT"
echo "held-out corpus: $OUT"
