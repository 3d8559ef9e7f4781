#!/usr/bin/env bash
# Regenerates the small committed test fixtures in tests/fixtures/ (run by hand; the
# generated files are committed so tests need no ffmpeg). Needs ffmpeg with libmp3lame,
# libvorbis and the native AAC encoder. Deterministic content: a 120 BPM click over an
# A-minor triad, a few seconds each, < 1 MB in total.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=tests/fixtures
mkdir -p "$out"
rm -f "$out"/*.{wav,flac,mp3,ogg,m4a,opus,txt} 2>/dev/null || true
command -v ffmpeg >/dev/null || { echo "ffmpeg is required to regenerate fixtures" >&2; exit 2; }
ff() { ffmpeg -hide_banner -loglevel error -y "$@"; }
# A minor triad (A3 C4 E4) + a 1 kHz click on every beat at 120 BPM.
expr='0.15*sin(2*PI*220*t)+0.15*sin(2*PI*261.63*t)+0.15*sin(2*PI*329.63*t)+0.5*lt(mod(t\,0.5)\,0.012)*sin(2*PI*1000*t)'
src() { echo "aevalsrc=${expr}|${expr}:s=$1:d=$2"; }
meta=(-metadata artist="Fixture Band" -metadata album="Fixtures" -metadata genre="Techno" -metadata date=2024 -metadata comment="flowstate fixture")
ff -f lavfi -i "$(src 22050 3)" "${meta[@]}" -metadata title="Click Wav" -c:a pcm_s16le "$out/click-wav.wav"
ff -f lavfi -i "$(src 44100 4)" "${meta[@]}" -metadata title="Click Flac" -metadata BPM=120 -metadata INITIALKEY=Am -c:a flac "$out/click-flac.flac"
ff -f lavfi -i "$(src 44100 4)" "${meta[@]}" -metadata title="Click Mp3" -metadata TBPM=120 -c:a libmp3lame -b:a 64k "$out/click-mp3.mp3"
ff -f lavfi -i "$(src 44100 4)" "${meta[@]}" -metadata title="Click Ogg" -c:a libvorbis -q:a 1 "$out/click-ogg.ogg"
ff -f lavfi -i "$(src 44100 4)" "${meta[@]}" -metadata title="Click M4a" -c:a aac -b:a 64k "$out/click-m4a.m4a"
# Untagged: title/artist come from the file name.
ff -f lavfi -i "$(src 22050 3)" -map_metadata -1 -ac 1 -c:a pcm_s16le "$out/Name Artist - Name Title.wav"
# Broken files.
: > "$out/broken-zero.mp3"
head -c 20000 "$out/click-flac.flac" > "$out/broken-truncated.flac"
python3 -c "import random; random.seed(7); open('$out/broken-random.mp3','wb').write(bytes(random.getrandbits(8) for _ in range(30000)))"
printf 'this is a text file, not audio\n%.0s' {1..40} > "$out/broken-text.flac"
ff -f lavfi -i "$(src 22050 0.3)" -ac 1 -c:a pcm_s16le "$out/broken-short.wav"
if ffmpeg -hide_banner -encoders 2>/dev/null | grep -q libopus; then
  ff -f lavfi -i "$(src 48000 2)" -c:a libopus -b:a 32k "$out/unsupported-opus.opus"
fi
du -ch "$out" | tail -1
ls -l "$out"
