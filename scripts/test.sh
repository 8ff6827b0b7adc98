#!/usr/bin/env bash
# The whole test suite: installs the project into .venv (once), lints, then runs pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install -q --disable-pip-version-check -e ".[test]"
.venv/bin/ruff check shared services pingyi tests
.venv/bin/python -m pytest "$@"
