#!/usr/bin/env bash
# CI: build the documentation with warnings as errors and execute the notebooks.
# Run from a checkout with the venv of .ci/run (.venv); installs the docs extra.
# The Online Retail notebook reads $CUSTSEG_DATA (default: ../../shared/data
# relative to notebooks/, i.e. ../shared/data from the repository root).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

if ! "$PY" -c "import sphinx, numpydoc, sphinx_gallery, myst_parser, pydata_sphinx_theme, nbmake" 2>/dev/null; then
  .venv/bin/pip install -q -e ".[docs,test]"
fi
export MPLBACKEND=Agg

start=$(date +%s)
rm -rf docs/_build docs/auto_examples docs/generated
"$PY" -m sphinx -W --keep-going -b html -q docs docs/_build/html
echo "docs built in $(( $(date +%s) - start ))s: docs/_build/html/index.html"

start=$(date +%s)
"$PY" -m pytest --nbmake --nbmake-timeout=900 -p no:cacheprovider -o addopts="-ra" notebooks
echo "notebooks executed in $(( $(date +%s) - start ))s"
