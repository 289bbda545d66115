// Documents over HTTP: upload, the /ipfs/{cid} gateway (Range, HEAD, CAR), CIDs equal to
// the reference JavaScript UnixFS importer, private documents readable only by their
// owner, admins and auditors (and not stored in plaintext), attachment to projects, and a
// corrupted block detected and not served.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startServer, Client, login, DEMO, cleanup, tempDir, ROOT } from './lib.mjs';

const { referenceCid } = await import(join(ROOT, 'backend/src/documents/js/reference.mjs'));

let srv, anon, tok = {};
before(async () => {
  srv = await startServer({ demo: true });
  anon = new Client(srv.url);
  for (const role of ['developer', 'buyer', 'admin', 'auditor', 'seller']) tok[role] = (await login(anon, ...DEMO[role])).access_token;
});
after(async () => { await srv.stop(); cleanup(srv.data); });

async function upload(role, bytes, query = '', type = 'application/pdf') {
  const res = await fetch(`${srv.url}/api/v1/documents${query}`, {
    method: 'POST', body: bytes, headers: { authorization: `Bearer ${tok[role]}`, 'content-type': type },
  });
  return { status: res.status, json: await res.json() };
}

function walk(dir) {
  let out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    out = e.isDirectory() ? out.concat(walk(p)) : out.concat([p]);
  }
  return out;
}

test('CIDs equal the reference importer; gateway serves bytes, ranges, HEAD and CAR', async () => {
  const dir = tempDir('cx-docs-');
  for (const size of [0, 1, 262144, 262145, 1048575, 3 * 262144 + 17]) {
    const bytes = randomBytes(size);
    const f = join(dir, `f${size}`);
    writeFileSync(f, bytes);
    const up = await upload('developer', bytes);
    assert.equal(up.status, 201, JSON.stringify(up.json));
    assert.equal(up.json.cid, await referenceCid(f), `size ${size}`);
    const g = await fetch(`${srv.url}/ipfs/${up.json.cid}`);
    assert.equal(g.status, 200);
    assert.equal(g.headers.get('content-type'), 'application/pdf');
    assert.deepEqual(Buffer.from(await g.arrayBuffer()), bytes);
    if (size > 10) {
      const r = await fetch(`${srv.url}/ipfs/${up.json.cid}`, { headers: { range: 'bytes=5-9' } });
      assert.equal(r.status, 206);
      assert.equal(r.headers.get('content-range'), `bytes 5-9/${size}`);
      assert.deepEqual(Buffer.from(await r.arrayBuffer()), bytes.subarray(5, 10));
      const bad = await fetch(`${srv.url}/ipfs/${up.json.cid}`, { headers: { range: `bytes=${size + 5}-` } });
      assert.equal(bad.status, 416);
    }
    const h = await fetch(`${srv.url}/ipfs/${up.json.cid}`, { method: 'HEAD' });
    assert.equal(h.status, 200);
    const car = await fetch(`${srv.url}/ipfs/${up.json.cid}.car`);
    assert.equal(car.status, 200);
    assert.match(car.headers.get('content-type'), /application\/vnd\.ipld\.car/);
    assert.ok((await car.arrayBuffer()).byteLength >= size);
  }
  const nf = await fetch(`${srv.url}/ipfs/bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy`);
  assert.equal(nf.status, 404);
  const badcid = await fetch(`${srv.url}/ipfs/not-a-cid`);
  assert.equal(badcid.status, 400);
  assert.equal((await badcid.json()).code, 'DOC_BAD_CID');
  cleanup(dir);
});

test('private documents: encrypted at rest, readable by owner, admin and auditor only', async () => {
  const secret = Buffer.from('PASSPORT NUMBER X1234567 -- very private '.repeat(100));
  const up = await upload('buyer', secret, '?private=true', 'text/plain');
  assert.equal(up.status, 201);
  assert.equal(up.json.private, true);
  const url = `${srv.url}/ipfs/${up.json.cid}`;
  assert.equal((await fetch(url)).status, 403);
  assert.equal((await fetch(url, { headers: { authorization: `Bearer ${tok.seller}` } })).status, 403);
  for (const role of ['buyer', 'admin', 'auditor']) {
    const r = await fetch(url, { headers: { authorization: `Bearer ${tok[role]}` } });
    assert.equal(r.status, 200, role);
    assert.deepEqual(Buffer.from(await r.arrayBuffer()), secret);
  }
  // No file under the data directory contains the plaintext.
  const needle = Buffer.from('PASSPORT NUMBER X1234567');
  for (const f of walk(join(srv.data, 'documents'))) assert.ok(!readFileSync(f).includes(needle), f);
  const meta = await anon.as(tok.seller).get(`/api/v1/documents/${up.json.cid}`);
  assert.equal(meta.status, 403);
  const e2e = await upload('buyer', randomBytes(1000), '?e2e=true', 'application/octet-stream');
  assert.equal(e2e.json.end_to_end, true);
  assert.equal((await fetch(`${srv.url}/ipfs/${e2e.json.cid}`)).status, 403);
  const both = await upload('buyer', randomBytes(10), '?e2e=true&private=true');
  assert.equal(both.status, 400);
});

test('documents attach to projects; a flipped byte on disk is detected, not served', async () => {
  const pdf = randomBytes(300000);
  const up = await upload('developer', pdf);
  const dev = anon.as(tok.developer);
  const r = await dev.post('/api/v1/projects/1/documents', { cid: up.json.cid });
  assert.equal(r.status, 201, r.text);
  assert.ok(r.json.documents.includes(up.json.cid));
  assert.equal((await dev.post('/api/v1/projects/1/documents', { cid: up.json.cid })).json.code, 'REQUEST_CONFLICT');
  const other = await anon.as(tok.developer).post('/api/v1/projects/1/documents', { cid: 'bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy' });
  assert.equal(other.status, 404);
  const notmine = await anon.as(tok.buyer).post('/api/v1/projects/1/documents', { cid: up.json.cid });
  assert.equal(notmine.status, 403);
  // Corrupt a stored block: a document of exactly one chunk is a single raw leaf whose
  // block file is named by the document's CID.
  const victim = await upload('developer', randomBytes(262144));
  const file = walk(join(srv.data, 'documents', 'blocks')).find((f) => f.endsWith(victim.json.cid));
  assert.ok(file, 'block file of the victim');
  const b = readFileSync(file);
  b[100] ^= 0xff;
  writeFileSync(file, b);
  const g = await fetch(`${srv.url}/ipfs/${victim.json.cid}`);
  assert.equal(g.status, 500, 'a corrupted block must be reported, not served');
  assert.equal((await g.json()).code, 'DOC_BLOCK_CORRUPT');
  // The other document still reads.
  assert.equal((await fetch(`${srv.url}/ipfs/${up.json.cid}`)).status, 200);
});
