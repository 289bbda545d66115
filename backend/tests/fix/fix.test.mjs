// FIX 4.4 gateway (issue 11) end to end: a real `carbonx serve --demo --fix-config ...` and
// the QuickFIX initiator cx_fix_client (backend/src/fix/fix_client.cc, Debian's QuickFIX)
// as the counterparty. The client prints PASS/FAIL per check; this test fails on any FAIL
// and adds checks over HTTP: the bad FIX messages created no order, a restart of carbonx
// keeps the session's sequence numbers and open orders, and revoking the API key ends a
// logged-on session.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { writeFileSync, mkdirSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, tempDir, cleanup, Client, login, DEMO, ROOT } from '../api/lib.mjs';

const BUILD = process.env.BUILD || join(ROOT, 'build');
const CLIENT = process.env.CX_FIX_CLIENT || join(BUILD, 'fix', 'cx_fix_client');

const freePort = () => new Promise((ok) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => ok(p)); });
});

export const SESSIONS = `[DEFAULT]
SenderCompID=CARBONX
HeartBtInt=30

[SESSION]
BeginString=FIX.4.4
TargetCompID=SELLER
CancelOnDisconnect=Y

[SESSION]
BeginString=FIX.4.4
TargetCompID=BUYER

[SESSION]
BeginString=FIX.4.4
TargetCompID=DROPCOPY
DropCopy=Y

[SESSION]
BeginString=FIX.4.4
TargetCompID=BENCH
`;

function runClient(args) {
  const r = spawnSync(CLIENT, args, { encoding: 'utf8', timeout: 180000 });
  const out = (r.stdout || '') + (r.stderr || '');
  console.log(out);
  const fails = out.split('\n').filter((l) => l.startsWith('FAIL'));
  return { status: r.status, out, fails };
}

test('FIX gateway: logon, trading between sessions, rejects, resend, drop copy, cancel on disconnect, restart', { timeout: 600000 }, async () => {
  assert.ok(existsSync(CLIENT), `cx_fix_client not built at ${CLIENT}`);
  const data = tempDir('cx-fix-');
  const work = tempDir('cx-fix-client-');
  const cfg = join(data, 'fix.cfg');
  writeFileSync(cfg, SESSIONS);
  const port = await freePort();
  const extra = ['--fix-config', cfg, '--fix-listen', `127.0.0.1:${port}`];
  let srv = await startServer({ data, extra });
  let child = null;
  try {
    assert.match(srv.log(), new RegExp(`FIX 4.4 gateway on port ${port}`));
    const anon = new Client(srv.url);
    const tok = {};
    for (const who of ['buyer', 'seller']) tok[who] = (await login(anon, ...DEMO[who])).access_token;
    const key = {}, keyId = {};
    for (const who of ['buyer', 'seller']) {
      const r = await anon.as(tok[who]).post('/api/v1/auth/api-keys', { label: 'fix', scopes: ['read', 'trade'] });
      assert.equal(r.status, 201, r.text);
      key[who] = `${r.json.id}:${r.json.secret}`;
      keyId[who] = r.json.id;
    }
    const inst = (await anon.get('/api/v1/instruments/1')).json;
    const symbol = inst.symbol;
    const contract = (await anon.get('/api/v1/instruments?kind=contract')).json.items[0];
    assert.ok(contract, 'the demo lists a standard contract');
    const orders = async (who) => (await anon.as(tok[who]).get('/api/v1/orders?status=all&page_size=500')).json.total;
    const before = { seller: await orders('seller'), buyer: await orders('buyer') };

    const base = ['--port', String(port), '--dir', work, '--symbol', symbol, '--contract', String(contract.id),
      '--seller', key.seller, '--buyer', key.buyer];
    const main = runClient([...base, '--phase', 'main']);
    assert.deepEqual(main.fails, []);
    assert.equal(main.status, 0, main.out);
    assert.match(main.out, /CLIENT_RESULT [1-9]\d* 0/);

    // Only the accepted orders exist: seller S1, S2, S3; buyer B1..B7, M1, M2 (B5, a FOK,
    // was refused by the book and is kept as rejected); the bad messages, the drop copy's
    // refused order and the unknown cancel created nothing.
    assert.equal(await orders('seller'), before.seller + 3);
    assert.equal(await orders('buyer'), before.buyer + 9);
    const s1 = (await anon.as(tok.seller).get('/api/v1/orders?status=all&page_size=500')).json.items.find((o) => o.client_order_id === 'S1');
    assert.ok(s1, 'S1 listed over HTTP');
    assert.equal(s1.status, 'cancelled');

    // Restart: sequence numbers and routes survive (message store under DATA/fix/store).
    await srv.stop();
    assert.ok(existsSync(join(data, 'fix', 'store')));
    srv = await startServer({ data, extra });
    const again = runClient([...base, '--phase', 'restart']);
    assert.deepEqual(again.fails, []);
    assert.equal(again.status, 0, again.out);

    // Revoking the key ends a logged-on session at its next order.
    child = spawn(CLIENT, [...base, '--phase', 'revoke'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    const exited = new Promise((ok) => child.on('exit', ok));
    child.stderr.on('data', (d) => { out += d; });
    await new Promise((ok, fail) => {
      const timer = setTimeout(() => fail(new Error('client not ready: ' + out)), 30000);
      child.stdout.on('data', (d) => { out += d; if (out.includes('READY')) { clearTimeout(timer); ok(); } });
      exited.then(() => { clearTimeout(timer); fail(new Error('client exited: ' + out)); });
    });
    const del = await new Client(srv.url, tok.buyer).req('DELETE', `/api/v1/auth/api-keys/${keyId.buyer}`);
    assert.equal(del.status, 200, del.text);
    child.stdin.write('go\n');
    const code = await exited;
    console.log(out);
    assert.deepEqual(out.split('\n').filter((l) => l.startsWith('FAIL')), []);
    assert.equal(code, 0, out);
  } finally {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await srv.stop();
    cleanup(data);
    cleanup(work);
  }
});

test('FIX gateway: a bad settings file stops the server with a clear error', async () => {
  const data = tempDir('cx-fix-bad-');
  const cfg = join(data, 'fix.cfg');
  writeFileSync(cfg, '[DEFAULT]\nSenderCompID=CARBONX\n');
  try {
    await assert.rejects(startServer({ data, extra: ['--fix-config', cfg, '--fix-listen', '127.0.0.1:1'] }), /defines no \[SESSION\]|FIX/);
  } finally {
    cleanup(data);
  }
});
