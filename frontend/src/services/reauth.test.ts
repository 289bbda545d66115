// The refresh-rotation base query against a real carbonx (no demo data; a user signs up).
// The server revokes a refresh-token family when a used token is presented again, so these
// tests fail if the client ever rotates twice with the same token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configureStore } from '@reduxjs/toolkit';
import auth, { signedIn, type AuthState, type TokenPair } from '../store/authSlice';
import { makeBaseQuery } from './reauth';
import { startCarbonx } from '../../e2e/carbonx.mjs';

let server: Awaited<ReturnType<typeof startCarbonx>>;
const email = `rot${Date.now()}@example.org`;
const password = 'correct horse battery';

beforeAll(async () => {
  server = await startCarbonx({ demo: false });
  const r = await fetch(`${server.url}/api/v1/auth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  expect(r.status).toBe(201);
}, 60000);
afterAll(async () => { await server?.stop(); });

function setup() {
  const store = configureStore({ reducer: { auth } });
  const bq = makeBaseQuery(`${server.url}/api/v1`);
  const api = () => ({
    signal: new AbortController().signal, abort: () => undefined, dispatch: store.dispatch, getState: store.getState,
    extra: undefined, endpoint: 'test', type: 'query' as const,
  });
  const call = (args: Parameters<typeof bq>[0]) => bq(args, api(), {});
  const st = () => store.getState().auth as AuthState;
  return { store, call, st };
}

async function signIn(s: ReturnType<typeof setup>) {
  const r = await s.call({ url: '/auth/login', method: 'POST', body: { email, password } });
  expect(r.error).toBeUndefined();
  s.store.dispatch(signedIn(r.data as TokenPair));
}

describe('refresh rotation', () => {
  it('rotates on 401 and replays the request', async () => {
    const s = setup();
    await signIn(s);
    const rt1 = s.st().refreshToken;
    s.store.dispatch(signedIn({ access_token: 'expired.or.bad', refresh_token: rt1! }));
    const me = await s.call('/me');
    expect(me.error).toBeUndefined();
    expect((me.data as { email: string }).email).toBe(email);
    expect(s.st().refreshToken).not.toBe(rt1);
    expect(s.st().accessToken).not.toBe('expired.or.bad');
  });

  it('rotates only once for concurrent 401s (no reuse detection triggered)', async () => {
    const s = setup();
    await signIn(s);
    s.store.dispatch(signedIn({ access_token: 'bad', refresh_token: s.st().refreshToken! }));
    const rs = await Promise.all([s.call('/me'), s.call('/me'), s.call('/me')]);
    for (const r of rs) expect(r.error).toBeUndefined();
    // The family is still valid: one more forced rotation works.
    s.store.dispatch(signedIn({ access_token: 'bad', refresh_token: s.st().refreshToken! }));
    expect((await s.call('/me')).error).toBeUndefined();
  });

  it('restores a session from the refresh token alone (reload)', async () => {
    const s = setup();
    await signIn(s);
    const rt = s.st().refreshToken!;
    const fresh = setup();
    fresh.store.dispatch(signedIn({ access_token: '', refresh_token: rt }));
    const me = await fresh.call('/me');
    expect(me.error).toBeUndefined();
    expect(fresh.st().accessToken).toBeTruthy();
  });

  it('ends the session when the refresh token is no longer valid', async () => {
    const s = setup();
    await signIn(s);
    const rt = s.st().refreshToken!;
    await s.call({ url: '/auth/logout', method: 'POST', body: { refresh_token: rt } });
    s.store.dispatch(signedIn({ access_token: 'bad', refresh_token: rt }));
    const me = await s.call('/me');
    expect(me.error?.status).toBe(401);
    expect(s.st().refreshToken).toBeNull();
    expect(s.st().user).toBeNull();
  });
});
