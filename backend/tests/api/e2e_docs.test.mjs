// End-to-end encrypted papers over HTTP: reviewer key registration (P-256 JWKs checked,
// thumbprints as key ids, only admins listed as reviewers), envelopes stored with an
// end-to-end document (shape checked, owner only, readable like the document), ciphertext
// only through the server; and the ERC-1155 metadata document of a batch (CID on the batch,
// bytes served by the gateway, CID equal to the reference importer's); pinning through
// CX_IPFS_API against a stand-in kubo written here: failures reported, pins never lost.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { randomBytes, webcrypto, createHash } from 'node:crypto';
import { startServer, Client, login, DEMO, cleanup, tempDir, ROOT } from './lib.mjs';

const { referenceCid } = await import(join(ROOT, 'backend/src/documents/js/reference.mjs'));
const subtle = webcrypto.subtle;
const b64u = (b) => Buffer.from(b).toString('base64url');

let srv, anon, c = {}, users = {};
before(async () => {
  srv = await startServer({ demo: true });
  anon = new Client(srv.url);
  for (const role of ['buyer', 'admin', 'auditor', 'seller', 'developer']) {
    const t = await login(anon, ...DEMO[role]);
    c[role] = anon.as(t.access_token);
    users[role] = t.user.id;
  }
});
after(async () => { await srv.stop(); cleanup(srv.data); });

async function p256() {
  const k = await subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']);
  const jwk = await subtle.exportKey('jwk', k.publicKey);
  const pub = { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
  const kid = b64u(createHash('sha256').update(`{"crv":"P-256","kty":"EC","x":"${pub.x}","y":"${pub.y}"}`).digest());
  return { pub, kid, priv: await subtle.exportKey('jwk', k.privateKey) };
}

test('reviewer keys: validated, listed for admins only, thumbprint as key id', async () => {
  const none = await c.admin.get('/api/v1/me/encryption-key');
  assert.equal(none.status, 404);
  const a = await p256();
  const r = await c.admin.put('/api/v1/me/encryption-key', { jwk: { ...a.pub, ext: true, key_ops: [] } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.kid, a.kid);
  assert.deepEqual(r.json.jwk, a.pub);
  assert.equal((await c.admin.get('/api/v1/me/encryption-key')).json.kid, a.kid);
  const b = await p256();
  assert.equal((await c.buyer.put('/api/v1/me/encryption-key', { jwk: b.pub })).status, 200);
  const list = await c.buyer.get('/api/v1/kyc/reviewer-keys');
  assert.equal(list.status, 200);
  assert.deepEqual(list.json.items.map((k) => k.user), [users.admin], 'only admins are reviewers');
  assert.equal(list.json.items[0].kid, a.kid);
  assert.equal((await anon.get('/api/v1/kyc/reviewer-keys')).status, 401);
  // Refusals: off the curve, private key sent, wrong curve, missing.
  const y = Buffer.from(a.pub.y, 'base64url'); y[31] ^= 1;
  for (const [jwk, what] of [[{ ...a.pub, y: b64u(y) }, 'off curve'], [a.priv, 'private key'], [{ ...a.pub, crv: 'P-384' }, 'curve'], [{ kty: 'EC', crv: 'P-256' }, 'no x/y']]) {
    const bad = await c.seller.put('/api/v1/me/encryption-key', { jwk });
    assert.equal(bad.status, 400, `${what}: ${bad.text}`);
    assert.equal(bad.json.code, 'REQUEST_INVALID_FIELD', what);
  }
  assert.equal((await c.buyer.req('DELETE', '/api/v1/me/encryption-key')).status, 204);
  assert.equal((await c.buyer.get('/api/v1/me/encryption-key')).status, 404);
});

function envelopeFor(recipients) {
  return {
    v: 1, alg: 'ECDH-P256+HKDF-SHA256+A256KW', enc: 'A256GCM', iv: b64u(randomBytes(12)), meta_iv: b64u(randomBytes(12)),
    meta: b64u(randomBytes(60)),
    recipients: recipients.map((r) => ({ user: r.user, kid: r.kid, epk: r.epk, wrapped_key: b64u(randomBytes(40)) })),
  };
}

test('end-to-end document: envelope owner-only, shape checked, ciphertext only', async () => {
  const cipher = randomBytes(5000);
  const up = await fetch(`${srv.url}/api/v1/documents?e2e=true`, {
    method: 'POST', body: cipher, headers: { authorization: `Bearer ${c.buyer.token}`, 'content-type': 'application/octet-stream' },
  });
  assert.equal(up.status, 201);
  const { cid } = await up.json();
  const eph = await p256();
  const env = envelopeFor([{ user: users.admin, kid: 'k'.repeat(43), epk: eph.pub }]);
  const path = `/api/v1/documents/${cid}/envelope`;
  assert.equal((await c.seller.put(path, env)).status, 403, 'only the owner sets the envelope');
  for (const [mut, field] of [[{ iv: b64u(randomBytes(11)) }, 'iv'], [{ v: 2 }, 'v'], [{ recipients: [] }, 'recipients'],
    [{ alg: 'RSA-OAEP' }, 'alg']]) {
    const bad = await c.buyer.put(path, { ...env, ...mut });
    assert.equal(bad.status, 400, `${field}: ${bad.text}`);
    assert.equal(bad.json.field, field);
  }
  const badKey = envelopeFor([{ user: users.admin, kid: 'x', epk: { ...eph.pub, x: eph.pub.y } }]);
  assert.equal((await c.buyer.put(path, badKey)).json.field, 'recipients/0/epk');
  const ok = await c.buyer.put(path, { ...env, extra: 'dropped' });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.extra, undefined);
  assert.equal(ok.json.cid, cid);
  for (const role of ['buyer', 'admin', 'auditor']) {
    const g = await c[role].get(path);
    assert.equal(g.status, 200, role);
    assert.deepEqual(g.json.recipients, env.recipients);
  }
  assert.equal((await c.seller.get(path)).status, 403);
  assert.equal((await anon.get(path)).status, 401);
  // The server hands out exactly the ciphertext, to the same readers only.
  const g = await fetch(`${srv.url}/ipfs/${cid}`, { headers: { authorization: `Bearer ${c.admin.token}` } });
  assert.equal(g.status, 200);
  assert.equal(g.headers.get('content-type'), 'application/octet-stream');
  assert.deepEqual(Buffer.from(await g.arrayBuffer()), cipher);
  assert.equal((await fetch(`${srv.url}/ipfs/${cid}`, { headers: { authorization: `Bearer ${c.seller.token}` } })).status, 403);
  // Envelopes only for end-to-end documents.
  const pub = await fetch(`${srv.url}/api/v1/documents`, { method: 'POST', body: 'hello', headers: { authorization: `Bearer ${c.buyer.token}`, 'content-type': 'text/plain' } });
  const pcid = (await pub.json()).cid;
  assert.equal((await c.buyer.put(`/api/v1/documents/${pcid}/envelope`, env)).status, 400);
});

test('batch metadata: ERC-1155 JSON stored as a document, its CID on the batch', async () => {
  const batches = await anon.get('/api/v1/batches?page_size=5');
  assert.equal(batches.status, 200);
  const b = batches.json.items.find((x) => x.issuance > 0) ?? batches.json.items[0];
  assert.match(b.metadata_cid, /^bafkrei[a-z2-7]+$/);
  const m = await anon.get(`/api/v1/batches/${b.id}/metadata`);
  assert.equal(m.status, 200, m.text);
  assert.equal(m.json.cid, b.metadata_cid);
  assert.equal(m.json.uri, `ipfs://${b.metadata_cid}`);
  const md = m.json.metadata;
  assert.equal(md.decimals, 3);
  assert.equal(md.properties.batch_id, b.id);
  assert.equal(md.properties.vintage, b.vintage);
  assert.equal(md.properties.project.id, b.project);
  assert.equal(md.properties.serials.start, b.serial_start);
  assert.equal(md.properties.methodology, b.methodology);
  const g = await fetch(`${srv.url}/ipfs/${b.metadata_cid}`);
  assert.equal(g.status, 200);
  assert.equal(g.headers.get('content-type'), 'application/json');
  const bytes = Buffer.from(await g.arrayBuffer());
  assert.deepEqual(JSON.parse(bytes.toString()), md);
  const f = join(tempDir('cx-md-'), 'm.json');
  writeFileSync(f, bytes);
  assert.equal(await referenceCid(f), b.metadata_cid);
  assert.equal((await anon.get('/api/v1/batches/999999/metadata')).status, 404);
});

test('an issuing approval stores the new batch metadata document', async () => {
  const dev = c.developer;
  const projects = await dev.get(`/api/v1/projects?developer=${users.developer}&status=validated&page_size=5`);
  assert.equal(projects.status, 200, projects.text);
  const p = projects.json.items[0];
  const iss = await dev.post('/api/v1/issuances', { project: p.id, vintage: 2025, period_start: '2025-01-01', period_end: '2025-06-30', quantity: '10', report: 'r' });
  assert.equal(iss.status, 201, iss.text);
  let last;
  for (const role of ['verifier', 'verifier2']) {
    const v = anon.as((await login(anon, ...DEMO[role])).access_token);
    last = await v.post(`/api/v1/issuances/${iss.json.id}/approve`, {});
    assert.equal(last.status, 200, last.text);
    if (last.json.status === 'issued') break;
  }
  assert.equal(last.json.status, 'issued');
  const cid = last.json.batch_detail.metadata_cid;
  let g;
  for (let i = 0; i < 50; i++) {  // stored by a worker right after the approval
    g = await fetch(`${srv.url}/ipfs/${cid}`);
    if (g.status === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(g.status, 200);
  assert.equal(JSON.parse(await g.text()).properties.issuance.id, iss.json.id);
});

// A small stand-in for kubo's RPC written for this test (not kubo: kubo cannot run here):
// /api/v0/add answers the CID the reference JS importer gives the uploaded part, and
// /api/v0/pin/add confirms. Resolves to {url, pins, close()}.
async function standInKubo() {
  const pins = new Set();
  const dir = tempDir('cx-kubo-');
  let n = 0;
  const srv = createServer((req, res) => {
    const chunks = [];
    req.on('data', (d) => chunks.push(d));
    req.on('end', async () => {
      const u = new URL(req.url, 'http://x');
      if (u.pathname === '/api/v0/add') {
        const body = Buffer.concat(chunks);
        const boundary = /boundary=([^;]+)/.exec(req.headers['content-type'])[1];
        const start = body.indexOf('\r\n\r\n') + 4;
        const end = body.lastIndexOf(Buffer.from(`\r\n--${boundary}--`));
        const f = join(dir, `part${n++}`);
        writeFileSync(f, body.subarray(start, end));
        res.end(JSON.stringify({ Name: 'document', Hash: await referenceCid(f), Size: String(end - start) }) + '\n');
      } else if (u.pathname === '/api/v0/pin/add') {
        pins.add(u.searchParams.get('arg'));
        res.end(JSON.stringify({ Pins: [u.searchParams.get('arg')] }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
  });
  await new Promise((ok) => srv.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${srv.address().port}`, pins, close: () => new Promise((ok) => srv.close(ok)) };
}

async function until(f, ms = 15000) {
  for (let t = 0; t < ms; t += 100) {
    const v = await f();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  return f();
}

test('pinning: a failing node is retried and reported, the pending pin survives a restart', async () => {
  // First run: the configured node is down (a port nothing listens on any more).
  const gone = await standInKubo();
  const deadUrl = gone.url;
  await gone.close();
  const data = tempDir('cx-pin-');
  process.env.CX_IPFS_API = deadUrl;
  let s1;
  try { s1 = await startServer({ data, demo: true }); } finally { delete process.env.CX_IPFS_API; }
  const a1 = new Client(s1.url, (await login(new Client(s1.url), ...DEMO.admin)).access_token);
  const bytes = randomBytes(300000);
  const up = await fetch(`${s1.url}/api/v1/documents`, { method: 'POST', body: bytes, headers: { authorization: `Bearer ${a1.token}`, 'content-type': 'application/pdf' } });
  assert.equal(up.status, 201);
  const { cid } = await up.json();
  const failed = await until(async () => {
    const r = await a1.get('/api/v1/pins');
    const e = r.json.pending.find((p) => p.cid === cid);
    return e && e.attempts >= 1 && e.last_error ? e : null;
  });
  assert.ok(failed, 'the failure is recorded and reported');
  assert.equal((await new Client(s1.url).get('/api/v1/pins')).status, 401);
  await s1.stop();

  // Second run on the same data directory, the node is back: the pin goes through.
  const kubo = await standInKubo();
  process.env.CX_IPFS_API = kubo.url;
  let s2;
  try { s2 = await startServer({ data, demo: true }); } finally { delete process.env.CX_IPFS_API; }
  try {
    const a2 = new Client(s2.url, (await login(new Client(s2.url), ...DEMO.admin)).access_token);
    // Backoff after the first failures is 10 s and more; the restarted worker honours it.
    const done = await until(async () => (await a2.get('/api/v1/pins')).json.pending.length === 0, 60000);
    assert.ok(done, 'the pending pin is done after the restart');
    assert.ok(kubo.pins.has(cid), 'the node pinned our CID');
    const off = await c.admin.get('/api/v1/pins');
    assert.equal(off.json.enabled, false, 'without CX_IPFS_API pinning is off');
  } finally {
    await s2.stop();
    await kubo.close();
    cleanup(data);
  }
});
