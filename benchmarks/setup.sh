#!/usr/bin/env bash
# Create benchmarks/.venv-competitors with nbgrader and otter-grader (and the
# scientific stack their kernels need), apart from the project's own venv.
#
#   bash benchmarks/setup.sh            # create or update
#   PYTHON=python3.11 bash benchmarks/setup.sh
#
# The venv is ignored by git (benchmarks/.gitignore).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${COMPETITOR_VENV:-$here/.venv-competitors}"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
# pip's notes about unusable index locations are noise here
quiet() { "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2); }
quiet "$venv/bin/python" -m pip install --quiet --upgrade pip
quiet "$venv/bin/python" -m pip install --quiet \
    "nbgrader==0.9.*" "otter-grader==7.*" numpy scipy pandas matplotlib ipykernel nbconvert nbformat
# a kernelspec inside the venv, so both tools run their kernels with its python
"$venv/bin/python" -m ipykernel install --sys-prefix --name python3 >/dev/null
"$venv/bin/python" - <<'PY'
import importlib.metadata as md
for name in ("nbgrader", "otter-grader", "numpy", "ipykernel"):
    print(f"{name} {md.version(name)}")
PY
