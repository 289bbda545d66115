// The real store (auth slice + RTK Query cache) against a real carbonx with demo data:
// sign-in, queries with filters and paging, a mutation that invalidates the project list,
// problem+json errors surfacing with their field, and sign-out clearing the session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeStore, type AppStore } from './index';
import { signedIn, signedOut } from './authSlice';
import { api } from '../services/api';
import { setApiBase } from '../services/reauth';
import { toFormError } from '../utils/problem';
import { startCarbonx } from '../../e2e/carbonx.mjs';

let server: Awaited<ReturnType<typeof startCarbonx>>;
let store: AppStore;

beforeAll(async () => {
  server = await startCarbonx({ demo: true });
  setApiBase(`${server.url}/api/v1`);
  store = makeStore();
}, 60000);
afterAll(async () => { await server?.stop(); });

describe('store with the API slice', () => {
  it('signs in and keeps the user and tokens', async () => {
    const t = await store.dispatch(api.endpoints.login.initiate({ email: 'developer@carbonx.demo', password: 'demo-developer-2026' })).unwrap();
    store.dispatch(signedIn(t));
    const s = store.getState().auth;
    expect(s.user?.roles).toContain('project_developer');
    expect(s.accessToken).toBe(t.access_token);
  });

  it('pages and filters projects', async () => {
    const p1 = await store.dispatch(api.endpoints.projects.initiate({ page: 1, page_size: 5 })).unwrap();
    const p2 = await store.dispatch(api.endpoints.projects.initiate({ page: 2, page_size: 5 })).unwrap();
    expect(p1.items.length).toBe(5);
    expect(p1.total).toBeGreaterThan(10);
    expect(p2.items[0].id).not.toBe(p1.items[0].id);
    const br = await store.dispatch(api.endpoints.projects.initiate({ country: 'BR', q: '' })).unwrap();
    expect(br.items.length).toBeGreaterThan(0);
    expect(br.items.every((p) => p.country.toUpperCase().includes('BR'))).toBe(true);
    expect(typeof br.items[0].issued).toBe('string');  // decimal strings, never floats
  });

  it('a created project invalidates and refreshes the cached list', async () => {
    const me = store.getState().auth.user!;
    const sub = store.dispatch(api.endpoints.projects.initiate({ developer: me.id, page_size: 500 }));
    const before = (await sub.unwrap()).total;
    const created = await store.dispatch(api.endpoints.createProject.initiate({ name: 'Store test', country: 'KE', methodology: 'AMS-III.D', credit_class: 2 })).unwrap();
    expect(created.status).toBe('draft');
    const cached = () => api.endpoints.projects.select({ developer: me.id, page_size: 500 })(store.getState());
    for (let i = 0; i < 100 && cached().data?.total !== before + 1; i++) await new Promise((r) => setTimeout(r, 50));
    expect(cached().data?.total).toBe(before + 1);
    sub.unsubscribe();
  });

  it('surfaces problem+json with the field at fault', async () => {
    const r = await store.dispatch(api.endpoints.createProject.initiate({ country: 'BR', methodology: 'VM0047' }));
    const e = toFormError((r as { error: unknown }).error);
    expect(e.code).toBe('REQUEST_MISSING_FIELD');
    expect(e.field).toBe('name');
    const t = await store.dispatch(api.endpoints.transfer.initiate({ to_account: 99999, batch: 1, quantity: '1' }));
    expect(toFormError((t as { error: unknown }).error).field).toBe('to_account');
  });

  it('signing out ends authorised calls', async () => {
    store.dispatch(signedOut());
    const r = await store.dispatch(api.endpoints.me.initiate(undefined, { forceRefetch: true }));
    expect((r.error as { status: number }).status).toBe(401);
    expect(store.getState().auth.user).toBeNull();
  });
});
