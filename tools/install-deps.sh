#!/usr/bin/env bash
# Installs the system packages DuQuant Explorer builds and tests against, only those missing.
set -euo pipefail
# libblis-pthread-dev: only `bench` uses it, as an independent BLAS to compare our sgemm peak with.
packages=(libncursesw5-dev libopenblas-dev zlib1g-dev pkg-config tmux libblis-pthread-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >/dev/null || true
  $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Python with numpy and safetensors runs the export-recipe and the model-evaluation (tools/eval, numpy
# only) end-to-end tests (they skip without them).
if command -v python3 >/dev/null && ! python3 -c "import numpy, safetensors" 2>/dev/null; then
  echo "installing: numpy safetensors (pip)" >&2
  python3 -m pip install --quiet --disable-pip-version-check numpy safetensors >/dev/null 2>&1 \
    || echo "note: pip could not install numpy/safetensors; the export-recipe test will be skipped" >&2
fi
