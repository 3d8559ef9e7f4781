#!/usr/bin/env bash
# Browser end-to-end tests of the web UI (issue 9): headless Debian Chromium driven by
# playwright-core against a real `flowstate serve` on 127.0.0.1 with a demo corpus
# (synthetic audio scanned by the real pipeline + a synthetic imported library).
# Screenshots go to screenshots/e2e/ (git-ignored). Fails CI on any failure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROOT=$(pwd)
SHOTS="$ROOT/screenshots/e2e"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else "$@"; fi; }

# ── Chromium from Debian (Playwright's own browser download does not work here) ──
if [ ! -x "$CHROMIUM" ]; then
  echo "installing chromium with apt-get"
  ok=0
  for attempt in 1 2 3 4 5; do
    # wait for other apt/dpkg runs (dpkg lock), then try; retry on failure
    if as_root apt-get -o DPkg::Lock::Timeout=300 update -qq &&
       as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends chromium; then
      ok=1; break
    fi
    echo "apt-get failed (attempt $attempt); retrying in 15 s"; sleep 15
  done
  [ "$ok" = 1 ] || { echo "cannot install chromium" >&2; exit 1; }
fi

# ── playwright-core (pinned in tests/e2e/package-lock.json) ──
command -v npm >/dev/null || { echo "npm not found (Node.js is required for the browser tests)" >&2; exit 1; }
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)

# ── the binary ──
cargo build -q -p flowstate
BIN="$ROOT/target/debug/flowstate"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/flowstate-e2e.XXXXXX")
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# ── demo corpus ──
DB="$WORK/demo.db"
python3 tests/e2e/make_demo_audio.py "$WORK/music" --seconds 40 >/dev/null
"$BIN" --db "$DB" scan "$WORK/music"
python3 tests/e2e/make_demo_library.py --n 300 --out "$WORK/library.json"
"$BIN" --db "$DB" corpus import "$WORK/library.json"

# ── server on a free loopback port ──
"$BIN" --db "$DB" serve --port 0 >"$WORK/serve.log" 2>&1 &
SERVER_PID=$!
URL=""
for _ in $(seq 1 100); do
  URL=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$WORK/serve.log" | head -n1 || true)
  [ -n "$URL" ] && python3 -c "import sys,urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)" "$URL/api/v1/health" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/serve.log" >&2; echo "server exited" >&2; exit 1; }
  sleep 0.2
done
[ -n "$URL" ] || { cat "$WORK/serve.log" >&2; echo "server did not start" >&2; exit 1; }
echo "flowstate serve at $URL"

# ── the browser tests ──
rm -rf "$SHOTS"; mkdir -p "$SHOTS"
status=0
(cd tests/e2e && FLOWSTATE_URL="$URL" SCREENSHOT_DIR="$SHOTS" CHROMIUM="$CHROMIUM" node ui.test.mjs) || status=$?
if [ "$status" != 0 ]; then
  echo "---- server log ----" >&2; tail -n 50 "$WORK/serve.log" >&2
fi
exit "$status"
