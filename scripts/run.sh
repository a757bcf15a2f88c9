#!/usr/bin/env bash
# README's main job: installs what is missing, builds, and runs GridKE on the embedded engine.
#   scripts/run.sh            → gridke serve: the embedded engine behind the TNO-compatible KE REST
#                               API on http://127.0.0.1:8280/rest (a line per exchange; Ctrl-C stops)
#   scripts/run.sh VERB ARGS  → gridke VERB ARGS (e.g. `scripts/run.sh demo`)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build >&2
if [ $# -eq 0 ]; then
  set -- serve
fi
exec build/gridke "$@"
