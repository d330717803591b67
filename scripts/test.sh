#!/usr/bin/env bash
# The test command (README, .ci/run): set-up, the project's real Neo4j on loopback with a
# fresh random password, lint and types, then the whole test suite against both graph stores.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

export MINDKG_HOME=${MINDKG_TEST_HOME:-$PWD/.mindkg-test}
export MINDKG_NEO4J_BOLT_PORT=${MINDKG_TEST_BOLT_PORT:-17687}
export MINDKG_NEO4J_HTTP_PORT=${MINDKG_TEST_HTTP_PORT:-17474}
rm -rf "$MINDKG_HOME/neo4j/data"   # a fresh database, so the fresh password takes effect
export MINDKG_NEO4J_PASSWORD="t-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
unset MINDKG_NEO4J_URI
# Emotion inference needs a declared purpose of processing (docs/privacy.md).
export MINDKG_PURPOSE=${MINDKG_PURPOSE:-counseling}

.venv/bin/mindkg neo4j start
trap '.venv/bin/mindkg neo4j stop >/dev/null 2>&1 || true' EXIT

export MINDKG_TEST_NEO4J_URI="bolt://localhost:$MINDKG_NEO4J_BOLT_PORT"
export MINDKG_TEST_NEO4J_PASSWORD="$MINDKG_NEO4J_PASSWORD"
export MINDKG_REQUIRE_NEO4J=1

echo "[test] ruff"; .venv/bin/ruff check .
echo "[test] mypy"; .venv/bin/mypy
echo "[test] pytest"
.venv/bin/pytest -q -p no:cacheprovider "$@"
