// Starts a real `carbonx serve` on a free port with a throwaway data directory.
// Used by the end-to-end test and by the unit test of the refresh-rotation base query.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(here, '../..');
export const BIN = process.env.CARBONX_BIN || join(process.env.BUILD || join(ROOT, 'build'), 'app', 'carbonx');

export async function startCarbonx({ demo = true, staticDir } = {}) {
  if (!existsSync(BIN)) throw new Error(`carbonx not built at ${BIN} (make build, or set CARBONX_BIN)`);
  const data = mkdtempSync(join(tmpdir(), 'cx-web-'));
  const args = ['serve', '--data', data, '--listen', '127.0.0.1:0'];
  if (demo) args.push('--demo');
  if (staticDir) args.push('--static', staticDir);
  const proc = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
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
