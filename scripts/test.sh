#!/usr/bin/env bash
# Set up everything the test suite needs and run all of it. This is the README's test
# command and exactly what CI runs (.ci/run calls it), so the two cannot drift:
#   - Debian's chromium (the browser tests, tests/browse) and redis-server (distributed
#     mode, tests/e2e/test_distributed.py) are installed when missing and this user can
#     (root, or passwordless sudo); otherwise one line says which tests will be skipped and
#     the command that would install them, before the run;
#   - a virtual environment .venv from the pinned requirements;
#   - ruff, then pytest (arguments are passed on to pytest);
#   - a last line naming every group of tests that was skipped, and why.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"

# -- system packages ------------------------------------------------------------------------
# command → Debian package → the tests that need it
declare -A PACKAGE=([chromium]=chromium [redis-server]=redis-server)
declare -A GROUP=([chromium]="browser tests (tests/browse)"
                  [redis-server]="distributed-mode tests (tests/e2e/test_distributed.py)")
missing=()
for cmd in chromium redis-server; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    sudo=()
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
  else
    sudo=none
  fi
  packages=()
  for cmd in "${missing[@]}"; do packages+=("${PACKAGE[$cmd]}"); done
  if [ "${sudo[*]:-}" != none ]; then
    echo "scripts/test.sh: installing ${packages[*]} (Debian packages the tests need)" >&2
    { "${sudo[@]}" apt-get update -qq \
      && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
           --no-install-recommends "${packages[@]}"; } >/dev/null 2>&1 \
      || echo "scripts/test.sh: could not install ${packages[*]}" >&2
  fi
  still=()
  for cmd in "${missing[@]}"; do
    command -v "$cmd" >/dev/null 2>&1 || still+=("$cmd")
  done
  for cmd in "${still[@]}"; do
    if [ "${CI:-}" = "true" ]; then
      echo "scripts/test.sh: $cmd is missing: the ${GROUP[$cmd]} will fail (CI requires them)" >&2
    else
      echo "scripts/test.sh: $cmd is missing: the ${GROUP[$cmd]} will be skipped;" \
           "install with: sudo apt-get install ${PACKAGE[$cmd]}" >&2
    fi
  done
fi

# -- Python environment ----------------------------------------------------------------------
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -r requirements-dev.txt
.venv/bin/python -m pip install --quiet --no-deps -e .
.venv/bin/ruff check .

# -- the tests -------------------------------------------------------------------------------
status=0
.venv/bin/python -m pytest "$@" || status=$?
skipped=()
for cmd in chromium redis-server; do
  command -v "$cmd" >/dev/null 2>&1 || skipped+=("${GROUP[$cmd]} skipped: $cmd not installed")
done
if [ "${#skipped[@]}" -gt 0 ] && [ "${CI:-}" != "true" ]; then
  summary=$(IFS=';'; echo "${skipped[*]}")
  echo "scripts/test.sh: ${summary//;/; }"
fi
exit "$status"
