#!/usr/bin/env bash
# The whole test suite on a fresh machine: starts (installing where missing) PostgreSQL and
# NATS JetStream, installs the project into .venv, lints, then runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/services-up.sh
# Reporting draws PNG/PDF in a CJK font, with fallbacks for the CJK extensions (𠮷, U+20BB7),
# and its public page is tested in Debian's Chromium.
missing=()
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
[ -f /usr/share/fonts/truetype/hanazono/HanaMinB.ttf ] || missing+=(fonts-hanazono)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install -q --disable-pip-version-check -c deploy/constraints.txt -e ".[test]"
# Machines that set PYTHONDONTWRITEBYTECODE (this one does) would have every process a test
# starts (hundreds: each service's API, relay and views) compile the project's sources again,
# and every pytest worker rewrite every test module again: compile once, here, and keep
# pytest's rewritten modules.
unset PYTHONDONTWRITEBYTECODE
.venv/bin/python -m compileall -q -j 0 shared services pingyi bench tests >/dev/null
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy shared services pingyi
# Spread over one process per core (at most 4), each with a PostgreSQL of its own
# (tests/conftest.py); tests that share something run in one of them (`run_group`). One
# worker more than cores was slower (measured): the longest group then runs on a shared core.
# The slowest tests are listed at the end, so that a run that creeps towards CI's 30 minutes
# says where the time went.
.venv/bin/python -m pytest --numprocesses auto --maxprocesses 4 --durations=30 "$@"
