#!/usr/bin/env bash
# Perturbation robustness benchmark: render + measure + table (see robustness.py's header).
#   CARGO_TARGET_DIR=... scripts/eval/robustness.sh [TRANSFORMS]   (comma list; default: all)
# Builds nothing: expects `cargo build --release -p flowstate -p flowstate-analysis --examples --bins`.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
T="${CARGO_TARGET_DIR:-$HERE/../../target}/release"
ALL=$(python3 -c "import sys; sys.path.insert(0,'$HERE'); import robustness as r; print(','.join(r.TRANSFORMS))")
python3 "$HERE/robustness.py" all -t "${1:-$ALL}" --flowstate "$T/flowstate" \
  --eval-features "$T/examples/eval_features" ${CLEAN:+--clean}
