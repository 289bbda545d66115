# shellcheck shell=bash
# Sourced by scripts: puts the pinned Node 22 first on PATH.
CX_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$CX_ROOT/.tools/bin:$PATH"
