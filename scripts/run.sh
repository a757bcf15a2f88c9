#!/usr/bin/env bash
# README's main job: installs what is missing, builds, and runs GridKE on the embedded engine.
#   scripts/run.sh            → gridke demo fault-location: gridke serve (engine + services), a
#                               DSP simulator process and a DSO console, as real processes
#   scripts/run.sh VERB ARGS  → gridke VERB ARGS (e.g. `scripts/run.sh demo`)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build >&2
if [ $# -eq 0 ]; then
  set -- demo fault-location
fi
exec build/gridke "$@"
