#!/usr/bin/env bash
# bench/train-throughput: training samples/s, smallscope vs PyTorch, same configurations / batch / machine.
# Usage: [BENCH_SIMD=avx2] bash bench/train-throughput/run.sh [rounds=5] [steps=4] [threads=2] [filter]
# (BENCH_SIMD=avx2: both sides on their AVX2 kernels, what an AVX2-only machine runs). Installs Debian's
# python3-torch and OpenBLAS (libopenblas0-pthread) if missing: without OpenBLAS, Debian's torch runs on the
# reference BLAS, 2-15x slower, and bench.ts refuses to compare against it.
set -euo pipefail
cd "$(dirname "$0")/../.."
# Debian's interpreter, not a pyenv/venv python3 that may shadow it on PATH
export PYTHON="${PYTHON:-/usr/bin/python3}"
if ! "$PYTHON" -c 'import torch' 2>/dev/null || ! dpkg -s libopenblas0-pthread >/dev/null 2>&1; then
  echo "installing python3-torch and libopenblas0-pthread (Debian) ..." >&2
  apt-get install -y python3-torch libopenblas0-pthread >/dev/null
fi
exec npx tsx bench/train-throughput/bench.ts "${1:-5}" "${2:-4}" "${3:-2}" "${4:-}"
