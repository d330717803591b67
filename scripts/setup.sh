#!/usr/bin/env bash
# One-time (idempotent) set-up on a fresh Debian machine: system packages, the Python venv
# with pinned dependencies, and the Neo4j jars from Maven Central. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_needed=()
command -v java >/dev/null 2>&1 || apt_needed+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || apt_needed+=(maven)
command -v ffmpeg >/dev/null 2>&1 || apt_needed+=(ffmpeg)
command -v sox >/dev/null 2>&1 || apt_needed+=(sox)
command -v redis-server >/dev/null 2>&1 || apt_needed+=(redis-server)
# Headless Chromium checks the timeline HTML and the offline /docs pages (tests); a CJK font
# draws the Chinese labels of the timeline and trend PNGs.
command -v chromium >/dev/null 2>&1 || apt_needed+=(chromium chromium-driver)
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || apt_needed+=(fonts-noto-cjk)
if [ ${#apt_needed[@]} -gt 0 ]; then
  echo "[setup] apt-get install ${apt_needed[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${apt_needed[@]}" >/dev/null
fi

PY=${MINDKG_PYTHON:-python3.11}
command -v "$PY" >/dev/null 2>&1 || PY=python3
"$PY" -c 'import sys; assert sys.version_info[:2] == (3, 11), f"MindKG needs Python 3.11, found {sys.version}"'
[ -x .venv/bin/python ] || "$PY" -m venv .venv

stamp=.venv/.mindkg-deps-$(cat pyproject.toml requirements-lock.txt | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "[setup] installing Python dependencies (requirements-lock.txt, pinned)"
  df -h . | tail -1 | awk '{print "[setup] disk: " $4 " free (the venv takes about 7 GB)"}'
  # Wheels unpack on the project's own disk, not in a possibly small /tmp, and are not cached:
  # the downloads would otherwise double the footprint.
  export TMPDIR=$PWD/.venv/.pip-tmp PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
  mkdir -p "$TMPDIR"
  torch_stack='^(torch|nvidia-|cuda-)'
  grep -E "$torch_stack" requirements-lock.txt > "$TMPDIR/stack.txt"
  grep -v -E "$torch_stack|^#|^$" requirements-lock.txt > "$TMPDIR/rest.txt"
  .venv/bin/pip install -q --no-deps -r "$TMPDIR/stack.txt"
  .venv/bin/pip install -q --no-deps -r "$TMPDIR/rest.txt"
  .venv/bin/pip install -q --no-deps --no-build-isolation -e .
  rm -rf "$TMPDIR"
  rm -f .venv/.mindkg-deps-* && touch "$stamp"
fi
echo "[setup] done"
