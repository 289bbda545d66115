// Route x role: walks EVERY operation of the server's own OpenAPI document (generated from
// the router's table, backend/src/api/router.h: x-access "public" | "any-user" | "roles",
// x-roles) with every role and checks the authorization decision:
//   - public: nobody gets 401/403 (not even with a bad token);
//   - any-user: anonymous -> 401 AUTH_UNAUTHENTICATED, every signed-in role -> not 401/403;
//   - roles: anonymous -> 401, a role outside x-roles -> 403 AUTH_FORBIDDEN, a role inside
//     -> not 401/403.
// Requests are syntactically valid but harmless (ids 999999, empty JSON bodies), so an
// allowed caller gets a validation or not-found answer instead of a refusal. Because the
// table is read from the running server, a new route is walked automatically, and a route
// without an access class fails the test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, Client, login, DEMO, cleanup } from './lib.mjs';

// Rate limits (app/rate_limits.h) may answer 429 to a burst of sign-ins or anonymous calls;
// that hides the decision under test, so wait as told by Retry-After and ask again.
class PatientClient extends Client {
  async req(method, path, body, opts) {
    for (let i = 0; ; i++) {
      const r = await super.req(method, path, body, opts);
      if (r.status !== 429 || i >= 8) return r;
      const wait = Math.min(3000, 1000 * Number(r.headers.get('retry-after') || 1));
      await new Promise((ok) => setTimeout(ok, wait));
    }
  }
  as(token) { const c = new PatientClient(this.url, token); c.hits = this.hits; return c; }
}

// The closed role set (backend/src/auth/principal.h) and a demo user holding each role.
const ROLE_USER = {
  trader: 'buyer',
  project_developer: 'developer',
  verifier: 'verifier',
  admin: 'admin',
  auditor: 'auditor',
};
const CALLERS = ['anonymous', ...Object.keys(ROLE_USER)];

let srv, anon, doc;
const tok = {};
const ops = [];  // {method, pattern, access, roles, hasBody}

before(async () => {
  srv = await startServer({ demo: true });
  anon = new PatientClient(srv.url);
  for (const [role, user] of Object.entries(ROLE_USER)) {
    const l = await login(anon, DEMO[user][0], DEMO[user][1]);
    // Each demo user holds exactly the role it stands for, so a refusal is about that role.
    assert.deepEqual(l.user.roles, [role], `${user} should hold only ${role}`);
    tok[role] = l.access_token;
  }
  const r = await anon.get('/api/v1/openapi.json');
  assert.equal(r.status, 200, r.text);
  doc = r.json;
  for (const [pattern, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      ops.push({
        method: method.toUpperCase(), pattern, access: op['x-access'], roles: op['x-roles'] ?? [],
        hasBody: !!op.requestBody, security: op.security,
      });
    }
  }
});
after(async () => { await srv.stop(); cleanup(srv.data); });

const caller = (who) => (who === 'anonymous' ? anon : anon.as(tok[who]));
const concrete = (pattern, id = '999999') => pattern.replace(/\{[^}]+\}/g, id);
const allows = (op, who) =>
  op.access === 'public' || (who !== 'anonymous' && (op.access === 'any-user' || op.roles.includes(who)));

function send(op, who, { id, body } = {}) {
  const path = concrete(op.pattern, id);
  if (body !== undefined) return caller(who).req(op.method, path, body, { raw: true });
  return caller(who).req(op.method, path, op.hasBody ? {} : undefined);
}

test('the table is served and every operation states who may call it', () => {
  assert.ok(ops.length >= 50, `only ${ops.length} operations in the OpenAPI document`);
  const known = new Set(Object.keys(ROLE_USER));
  for (const op of ops) {
    const name = `${op.method} ${op.pattern}`;
    assert.ok(['public', 'any-user', 'roles'].includes(op.access), `${name}: x-access is ${op.access}`);
    if (op.access === 'roles') {
      assert.ok(op.roles.length > 0, `${name}: role-restricted with no role`);
      for (const r of op.roles) assert.ok(known.has(r), `${name}: unknown role ${r}`);
    } else {
      assert.equal(op.roles.length, 0, `${name}: x-roles on a ${op.access} route`);
    }
    // The documented security requirement agrees with the access class.
    assert.equal(!!op.security, op.access !== 'public', `${name}: security vs x-access`);
  }
  // Spot checks that the table says what the product needs (a regression here is a hole).
  const find = (m, p) => ops.find((o) => o.method === m && o.pattern === p);
  assert.deepEqual(find('PUT', '/api/v1/users/{id}/roles')?.roles, ['admin']);
  assert.deepEqual(find('POST', '/api/v1/cash/deposits')?.roles, ['admin']);
  assert.deepEqual(find('POST', '/api/v1/issuances/{id}/approve')?.roles, ['verifier']);
  assert.deepEqual(find('GET', '/api/v1/audit')?.roles, ['admin', 'auditor']);
  assert.equal(find('POST', '/api/v1/orders')?.access, 'any-user');
  assert.equal(find('GET', '/api/v1/health')?.access, 'public');
});

test('every operation x every role gets the decision the table states', async () => {
  const wrong = [];
  let calls = 0;
  for (const op of ops) {
    for (const who of CALLERS) {
      const r = await send(op, who);
      calls++;
      const got = `${r.status}${r.json?.code ? ' ' + r.json.code : ''}`;
      const name = `${op.method} ${op.pattern} as ${who} (${op.access} ${op.roles.join(',')})`;
      // 503 UNAVAILABLE is a stated state (e.g. the forecast model still training), not a fault.
      if (r.status >= 500 && r.status !== 503) wrong.push(`${name}: ${got} (server error)`);
      if (allows(op, who)) {
        if (r.status === 401 || r.status === 403) wrong.push(`${name}: allowed but got ${got}`);
      } else if (who === 'anonymous') {
        if (r.status !== 401 || r.json?.code !== 'AUTH_UNAUTHENTICATED') wrong.push(`${name}: want 401 AUTH_UNAUTHENTICATED, got ${got}`);
        else if (!/^Bearer /.test(r.headers.get('www-authenticate') ?? '')) wrong.push(`${name}: 401 without WWW-Authenticate`);
      } else if (r.status !== 403 || r.json?.code !== 'AUTH_FORBIDDEN') {
        wrong.push(`${name}: want 403 AUTH_FORBIDDEN, got ${got}`);
      }
      if (r.status >= 400 && !(r.headers.get('content-type') ?? '').startsWith('application/problem+json'))
        wrong.push(`${name}: ${r.status} is not problem+json`);
    }
  }
  assert.equal(calls, ops.length * CALLERS.length);
  assert.deepEqual(wrong, []);
});

test('authorization is decided before validation: malformed bodies and ids are refused by role first', async () => {
  // Every restricted operation, with a body that is not JSON and an id that is not a number:
  // callers the table refuses see only 401/403; a caller it allows reaches validation.
  let restricted = 0, validated = 0;
  const wrong = [];
  for (const op of ops) {
    if (op.access === 'public') continue;
    restricted++;
    const body = op.hasBody ? '{"not json' : undefined;
    for (const who of CALLERS) {
      const r = await send(op, who, { id: 'abc', body });
      const got = `${r.status} ${r.json?.code}`;
      const name = `${op.method} ${op.pattern} as ${who}`;
      if (!allows(op, who)) {
        const want = who === 'anonymous' ? '401 AUTH_UNAUTHENTICATED' : '403 AUTH_FORBIDDEN';
        if (got !== want) wrong.push(`${name}: want ${want}, got ${got}`);
      } else if (op.hasBody) {
        // The malformed body (or the malformed id) is what the allowed caller hears about.
        if (r.status !== 400 && r.status !== 404) wrong.push(`${name}: malformed request answered ${got}`);
        else validated++;
      }
    }
  }
  assert.ok(restricted >= 30, `${restricted} restricted operations`);
  assert.ok(validated >= 20, `${validated} allowed callers reached validation`);
  assert.deepEqual(wrong, []);
});

test('bad tokens: refused on restricted routes before anything else, ignored on public ones', async () => {
  const wrong = [];
  for (const op of ops) {
    for (const [header, code] of [['Bearer not-a-jwt', 'AUTH_BAD_TOKEN'], ['Basic YWRtaW46YWRtaW4=', 'AUTH_BAD_TOKEN']]) {
      const r = await anon.req(op.method, concrete(op.pattern), op.hasBody ? {} : undefined, { headers: { authorization: header } });
      const name = `${op.method} ${op.pattern} with ${header.split(' ')[0]}`;
      if (op.access === 'public') {
        if (r.status === 401 || r.status === 403 || (r.status >= 500 && r.status !== 503)) wrong.push(`${name}: ${r.status} ${r.json?.code}`);
      } else if (r.status !== 401 || r.json?.code !== code) {
        wrong.push(`${name}: want 401 ${code}, got ${r.status} ${r.json?.code}`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});

test('paths outside the table are 404 for everyone, and methods outside it 405, before authentication', async () => {
  for (const who of CALLERS) {
    const r = await caller(who).get('/api/v1/admin/users');
    assert.equal(r.status, 404, `${who}: ${r.text}`);
    assert.equal(r.json.code, 'REQUEST_NOT_FOUND');
    const m = await caller(who).req('PATCH', '/api/v1/users/1/roles', {});
    assert.equal(m.status, 405, `${who}: ${m.text}`);
    assert.match(m.headers.get('allow') ?? '', /PUT/);
  }
});

test('ownership inside an any-user route: another account is refused, the owner and auditors see it', async () => {
  // Not part of the table (the handler decides), but the same question: who may read what.
  const users = {};
  for (const [role, u] of Object.entries(ROLE_USER)) users[role] = (await caller(role).get('/api/v1/me')).json;
  const seller = await login(anon, DEMO.seller[0], DEMO.seller[1]);
  const acct = seller.user.account;
  for (const p of [`/api/v1/accounts/${acct}/holdings`, `/api/v1/accounts/${acct}/cash`]) {
    assert.equal((await anon.as(seller.access_token).get(p)).status, 200, p);
    for (const role of ['trader', 'project_developer', 'verifier']) {
      const r = await caller(role).get(p);
      assert.equal(r.status, 403, `${role} ${p}: ${r.text}`);
      assert.equal(r.json.code, 'AUTH_FORBIDDEN');
    }
    for (const role of ['admin', 'auditor']) assert.equal((await caller(role).get(p)).status, 200, `${role} ${p}`);
    assert.equal((await anon.get(p)).status, 401);
  }
  assert.ok(users.trader.account !== acct);
});
