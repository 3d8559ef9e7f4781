#!/usr/bin/env bash
# One command on a fresh Debian/Ubuntu machine: installs what Flowstate needs, builds it,
# runs the setup hooks (scripts/setup.d/*.sh, e.g. model download), then scans MUSIC_DIR —
# or, without an argument, a demo library synthesised locally — and shows the tracks.
#
# usage: bash scripts/setup.sh [MUSIC_DIR]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
MUSIC_DIR=${1:-}

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

apt_get() {
  # Wait for the dpkg lock (another apt run, unattended-upgrades) and retry.
  local tries=0
  until $SUDO env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 "$@"; do
    tries=$((tries + 1))
    if [ $tries -ge 5 ]; then echo "apt-get $* failed after $tries attempts" >&2; return 1; fi
    echo "apt-get busy or failed; retrying in 10 s ($tries/5)" >&2
    sleep 10
  done
}

need_pkgs=()
for p in build-essential pkg-config curl ca-certificates python3 python3-pip; do
  dpkg -s "$p" >/dev/null 2>&1 || need_pkgs+=("$p")
done
if [ ${#need_pkgs[@]} -gt 0 ] && command -v apt-get >/dev/null; then
  echo "== installing: ${need_pkgs[*]}"
  apt_get update
  apt_get install -y --no-install-recommends "${need_pkgs[@]}"
fi

if ! command -v cargo >/dev/null; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  else
    echo "== installing the Rust toolchain (rustup)"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
fi

echo "== building flowstate (release)"
cargo build --release -p flowstate
export PATH="$ROOT/target/release:$PATH"

for f in scripts/setup.d/*.sh; do
  [ -e "$f" ] || continue
  echo "== $f"
  bash "$f" || echo "warning: $f failed (Flowstate works without it; see above)" >&2
done

if [ -z "$MUSIC_DIR" ]; then
  MUSIC_DIR="${XDG_DATA_HOME:-$HOME/.local/share}/flowstate/demo-library"
  echo "== no MUSIC_DIR given: synthesising a demo library in $MUSIC_DIR"
  python3 scripts/demo_library.py "$MUSIC_DIR"
fi

echo "== scanning $MUSIC_DIR"
set +e
flowstate -v scan "$MUSIC_DIR"
rc=$?
set -e
if [ $rc -eq 2 ]; then echo "scan failed" >&2; exit 2; fi
echo "== your library"
flowstate tracks
echo
echo "Next: flowstate show <id> | flowstate failures | flowstate serve (see README.md)"
