#!/usr/bin/env bash
# Regenerate notebooks at the `gpu` profile on a bare GPU machine (PyTorch and the scientific
# stack, no network, no Jupyter, no PyAV), within a wall-time budget, into one archive.
#
#   vadcore data pack ucsd_ped2 /path/to/ped2 --out .gpu/ped2 --size 256 256 --compare   # once, here
#   tools/gpu-run.sh --budget 9 --notebooks 02 --data .gpu/ped2 --out "$OUT" --commit "$(git rev-parse --short HEAD)"
#
# What it does and what it returns: vadcore/slot/run.py. Rehearse it on a CPU with
# `tools/gpu-run.sh --profile smoke --notebooks 02 --device cpu --budget 5 --out /tmp/slot`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1 MPLBACKEND=Agg
PYTHON="${PYTHON:-$(command -v python3 || command -v python)}"
exec "$PYTHON" -m vadcore.slot.run "$@"
