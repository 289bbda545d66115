#!/usr/bin/env bash
# Size of the wallet code (issue 9 front end): gzip size of the JavaScript the wallet page
# loads on top of the first paint (its lazy chunk and the chunks it imports, viem included),
# and whether viem stayed out of the first-paint JavaScript (web_initial_js_gzip_kb is
# printed by tools/bench/web.sh). Builds the app first.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
source "$ROOT/tools/env.sh"
cd "$ROOT/frontend" || exit 1
[ -d node_modules/viem ] || npm ci --no-audit --no-fund >/dev/null 2>&1
npx vite build --logLevel error --manifest >/dev/null || { echo "vite build failed" >&2; exit 1; }
node -e '
const fs = require("fs"), zlib = require("zlib"), path = require("path");
const man = JSON.parse(fs.readFileSync("dist/.vite/manifest.json", "utf8"));
const gz = (f) => zlib.gzipSync(fs.readFileSync(path.join("dist", f)), { level: 9 }).length;
const entry = Object.values(man).find((c) => c.isEntry);
const initial = new Set();
(function walk(k) { const c = man[k] ?? Object.values(man).find((x) => x.file === k); if (!c || initial.has(c.file)) return; initial.add(c.file); (c.imports ?? []).forEach(walk); })(Object.keys(man).find((k) => man[k] === entry));
const page = Object.entries(man).find(([k]) => k.endsWith("pages/WalletPage.tsx"));
if (!page) { console.error("no WalletPage chunk"); process.exit(1); }
const wallet = new Set();
(function walk(k) { const c = man[k]; if (!c || wallet.has(c.file) || initial.has(c.file)) return; wallet.add(c.file); (c.imports ?? []).forEach(walk); })(page[0]);
let bytes = 0; for (const f of wallet) bytes += gz(f);
console.log(`BENCH web_wallet_page_js_gzip_kb ${(bytes / 1024).toFixed(1)} kB`);
// viem and the wallet module both carry this method name; the first paint must not.
const viemInInitial = [...initial].some((f) => fs.readFileSync(path.join("dist", f), "utf8").includes("eth_signTypedData_v4"));
console.log(`BENCH web_viem_in_initial_js ${viemInInitial ? 1 : 0} bool`);
'
rm -rf dist/.vite
