// Starts a real `carbonx serve` on a free port with a throwaway data directory.
// Used by the end-to-end test and by the unit test of the refresh-rotation base query.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(here, '../..');
export const BIN = process.env.CARBONX_BIN || join(process.env.BUILD || join(ROOT, 'build'), 'app', 'carbonx');

// The second factor required of admins and verifiers is off unless `mfa` is set: the
// journeys act as the demo admin and verifier (security.mjs turns it on).
// KYC screening uses the sample sanctions list (backend/testdata/README.md) unless
// `sanctions` names another file (or is '' for none).
// `args` are extra `serve` arguments and `env` extra environment (e.g. the chain flags).
export async function startCarbonx({ demo = true, staticDir, mfa = false, sanctions = join(ROOT, 'backend/testdata/sanctions-sample.csv'), args: extra = [], env = {} } = {}) {
  if (!existsSync(BIN)) throw new Error(`carbonx not built at ${BIN} (make build, or set CARBONX_BIN)`);
  const data = mkdtempSync(join(tmpdir(), 'cx-web-'));
  const args = ['serve', '--data', data, '--listen', '127.0.0.1:0'];
  if (demo) args.push('--demo');
  if (staticDir) args.push('--static', staticDir);
  if (!mfa) args.push('--mfa-required-roles', 'none');
  if (sanctions) args.push('--sanctions', sanctions);
  args.push(...extra);
  const proc = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let out = '';
  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('carbonx did not start: ' + out)), 60000);
    const onData = (d) => {
      out += d.toString();
      const m = out.match(/serving (http:\/\/[0-9.]+:\d+)\//);
      if (m) { clearTimeout(timer); ok(m[1]); }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', (d) => { out += d.toString(); });
    proc.on('exit', (code) => { clearTimeout(timer); fail(new Error(`carbonx exited ${code}: ${out}`)); });
  });
  proc.removeAllListeners('exit');
  const exited = new Promise((r) => proc.on('exit', r));
  return {
    url, data, log: () => out,
    async stop() { proc.kill('SIGTERM'); await exited; rmSync(data, { recursive: true, force: true }); },
  };
}

// Cash and orders need a KYC level (the demo's developer, buyer and seller have one): the
// user submits a case through the API and the admin approves it. Tokens are bearer tokens.
export async function kycVerify(url, adminToken, userToken, level = 'full', details = {}) {
  const post = async (path, token, body) => {
    const r = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    const json = await r.json().catch(() => null);
    if (!r.ok) throw new Error(`${path}: ${r.status} ${JSON.stringify(json)}`);
    return json;
  };
  const c = await post('/api/v1/kyc/cases', userToken, {
    requested_level: level, legal_name: `E2E Person ${Date.now()}`, date_of_birth: '1990-02-03', country: 'DE',
    address: 'Teststrasse 1, 10115 Berlin', documents: [], ...details,
  });
  return post(`/api/v1/kyc/cases/${c.id}/decision`, adminToken, { decision: 'approve', level, reason: 'e2e' });
}

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
// Runs axe-core (WCAG 2.1 A/AA and best practice) on the page, stores the violations under
// `name` in `report` and checks there is no serious or critical one (`check(cond, what)`
// is the journey's own counter).
export async function checkAxe(page, name, report, check) {
  await page.addScriptTag({ path: AXE });
  const res = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length, help: v.help, target: v.nodes[0]?.target }));
  });
  report[name] = res;
  const bad = res.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length) console.error(`axe ${name}:`, JSON.stringify(bad, null, 1));
  check(bad.length === 0, `axe: no serious/critical issue on ${name}`);
}
