#!/usr/bin/env bash
# bench/probe-speed: smallscope (attention + all head scores) vs PyTorch eager forward, 1024 tokens.
# Usage: bash bench/probe-speed/run.sh [runs=15] [threads=2]. Installs Debian's python3-torch if missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
# Debian's interpreter, not a pyenv/venv python3 that may shadow it on PATH
export PYTHON="${PYTHON:-/usr/bin/python3}"
if ! "$PYTHON" -c 'import torch' 2>/dev/null; then
  echo "installing python3-torch (Debian) ..." >&2
  apt-get install -y python3-torch >/dev/null
fi
exec npx tsx bench/probe-speed/bench.ts "${1:-15}" "${2:-2}"
