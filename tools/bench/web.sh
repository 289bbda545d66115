#!/usr/bin/env bash
# Web front end size: gzip size of the JavaScript the browser loads on first paint of the
# built app (frontend/dist/index.html: its module entry plus modulepreloaded chunks; lazily
# loaded page chunks excluded), and the Largest Contentful Paint of the trading page
# (web_lcp_ms) and of the registry page. Builds the app first.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
source "$ROOT/tools/env.sh"
cd "$ROOT/frontend" || exit 1
[ -d node_modules ] || npm ci --no-audit --no-fund >/dev/null 2>&1
npx vite build --logLevel error >/dev/null || { echo "vite build failed" >&2; exit 1; }
node -e '
const fs = require("fs"), zlib = require("zlib"), path = require("path");
const html = fs.readFileSync("dist/index.html", "utf8");
const srcs = new Set();
for (const m of html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g)) srcs.add(m[1]);
for (const m of html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)) srcs.add(m[1]);
if (srcs.size === 0) { console.error("no module scripts in dist/index.html"); process.exit(1); }
let bytes = 0;
for (const s of srcs) bytes += zlib.gzipSync(fs.readFileSync(path.join("dist", s)), { level: 9 }).length;
console.log(`BENCH web_initial_js_gzip_kb ${(bytes / 1024).toFixed(1)} kB`);
'
# Largest Contentful Paint of the trading page (SERRA-24 with its live order book) and of the
# registry page with its data, CPU slowed 4x (chromium, real carbonx --demo).
if [ -x /usr/bin/chromium ] || [ -n "${CHROMIUM:-}" ]; then
  timeout 240 node e2e/lcp.mjs || echo "web_lcp: measurement failed" >&2
fi
