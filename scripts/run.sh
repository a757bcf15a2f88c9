#!/usr/bin/env bash
# README's main job: installs what is missing, builds, and runs GridKE on the embedded engine.
#   scripts/run.sh            → gridke demo (an ASK/ANSWER and a POST/REACT exchange between two SSAs)
#   scripts/run.sh VERB ARGS  → gridke VERB ARGS (e.g. `scripts/run.sh serve --port 8280`)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build >&2
if [ $# -eq 0 ]; then
  set -- demo
fi
exec build/gridke "$@"
