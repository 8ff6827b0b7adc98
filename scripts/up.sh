#!/usr/bin/env bash
# Install Pingyi into .venv (first run only) and start it in embedded mode.
# Arguments go to `pingyi up`, e.g. `bash scripts/up.sh --demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/pingyi ]; then
  python3 -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check -c deploy/constraints.txt -e .
fi
exec .venv/bin/pingyi up "$@"
