// Largest Contentful Paint of the trading page (SERRA-24, with its order book from the
// WebSocket) and of the registry page with its data, in Debian's chromium with the CPU
// slowed 4x through the DevTools protocol, against a real carbonx --demo serving dist/.
// Median of 5 cold loads each (fresh page, cache disabled). Prints
// `BENCH web_lcp_ms <ms> ms` (trading page, the figure) and
// `BENCH web_lcp_registry_ms <ms> ms`.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCarbonx } from './carbonx.mjs';

const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const server = await startCarbonx({ demo: true, staticDir: DIST });
const profile = mkdtempSync(join(tmpdir(), 'cx-chromium-'));
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1280, height: 900 },
});
const median = (runs) => { runs.sort((a, b) => a - b); return Math.round(runs[Math.floor(runs.length / 2)]); };
async function measure(path, ready) {
  const runs = [];
  for (let i = 0; i < 5; i++) {
    const page = await ctx.newPage();
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
    await page.goto(`${server.url}${path}`);
    await ready(page).waitFor({ timeout: 30000 });
    const lcp = await page.evaluate(() => new Promise((resolve) => {
      new PerformanceObserver((list) => {
        const e = list.getEntries();
        resolve(e[e.length - 1].startTime);
      }).observe({ type: 'largest-contentful-paint', buffered: true });
    }));
    runs.push(lcp);
    await page.close();
  }
  return median(runs);
}
let trading, registry;
try {
  trading = await measure('/markets/1', (p) => p.getByRole('table', { name: /Order book/ }).getByRole('button', { name: /^Ask / }).first());
  registry = await measure('/', (p) => p.getByRole('table', { name: 'Projects' }).locator('tbody tr').first());
} finally {
  await ctx.close();
  await server.stop();
  rmSync(profile, { recursive: true, force: true });
}
console.log(`BENCH web_lcp_ms ${trading} ms`);
console.log(`BENCH web_lcp_registry_ms ${registry} ms`);
