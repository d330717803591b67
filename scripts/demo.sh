#!/usr/bin/env bash
# The demo (README): set-up, load the knowledge-graph seed into the embedded store, and
# analyse a SYNTHETIC multimodal sample session (face video, speech, scales) end to end,
# printing its feature texts and the assessment. The first run also trains the joint space.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export MINDKG_HOME=${MINDKG_HOME:-$PWD/.mindkg}
unset MINDKG_NEO4J_URI
# Emotion inference needs a declared purpose of processing (docs/privacy.md).
export MINDKG_PURPOSE=${MINDKG_PURPOSE:-counseling}
.venv/bin/mindkg kg seed
.venv/bin/mindkg analyze "${1:-samples/sessions/zh_w03_multimodal}"
