#!/usr/bin/env bash
# Runs every test: prerequisites (scripts/pre-test.d/*.sh), the Rust workspace tests, then
# the end-to-end suites (scripts/post-test.d/*.sh, e.g. headless-browser tests).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_TERM_COLOR=never
# One-shot test runs gain nothing from incremental caches (GBs on disk); a developer's
# environment may turn them back on.
export CARGO_INCREMENTAL=${CARGO_INCREMENTAL:-0}
for f in scripts/pre-test.d/*.sh; do [ -e "$f" ] || continue; echo "== $f"; bash "$f"; done
cargo test --workspace --no-fail-fast
for f in scripts/post-test.d/*.sh; do [ -e "$f" ] || continue; echo "== $f"; bash "$f"; done
