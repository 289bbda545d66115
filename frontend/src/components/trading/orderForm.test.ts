// The ticket's request builder: client checks (field + message), then every order type and
// option it can express, posted to a real carbonx --demo and read back from the reply.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOrder, type TicketValues } from './orderForm';
import { startCarbonx } from '../../../e2e/carbonx.mjs';

const serra = { id: 1, kind: 'batch' as const, tick_minor: 1 };
const latam = { id: 3, kind: 'contract' as const, tick_minor: 1 };
const base: TicketValues = { side: 'buy', type: 'limit', price: '23.00', stopPrice: '', quantity: '1', tif: 'gtc', expireAt: null, postOnly: false, display: '', minQty: '', stp: 'cancel_newest', batch: '' };
const v = (o: Partial<TicketValues>) => ({ ...base, ...o });

describe('buildOrder (client checks)', () => {
  it('names the field at fault', () => {
    expect(buildOrder(v({ quantity: '1.2345' }), serra)).toMatchObject({ ok: false, field: 'quantity' });
    expect(buildOrder(v({ price: '24.805' }), serra)).toMatchObject({ ok: false, field: 'price' });
    expect(buildOrder(v({ price: '24.85' }), { ...serra, tick_minor: 10 })).toMatchObject({ ok: false, field: 'price' });
    expect(buildOrder(v({ type: 'stop', stopPrice: '' }), serra)).toMatchObject({ ok: false, field: 'stop_price' });
    expect(buildOrder(v({ tif: 'gtt' }), serra)).toMatchObject({ ok: false, field: 'expire_at' });
    expect(buildOrder(v({ display: 'x' }), serra)).toMatchObject({ ok: false, field: 'display_quantity' });
    expect(buildOrder(v({ side: 'sell' }), latam)).toMatchObject({ ok: false, field: 'batch' });
  });
  it('sends only what the type takes, as typed decimal strings', () => {
    const m = buildOrder(v({ type: 'market', price: '99', tif: 'ioc', quantity: '1,000.5' }), serra);
    expect(m).toEqual({ ok: true, body: { instrument: 1, side: 'buy', type: 'market', quantity: '1000.5', time_in_force: 'ioc', stp: 'cancel_newest' } });
    const s = buildOrder(v({ type: 'stop_limit', price: '26.50', stopPrice: '26.00' }), serra);
    expect(s.ok && s.body.price === '26.50' && s.body.stop_price === '26.00').toBe(true);
  });
});

let server: Awaited<ReturnType<typeof startCarbonx>>;
const tokens: Record<string, string> = {};
async function login(email: string, password: string) {
  const r = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  return (await r.json()).access_token as string;
}
async function post(who: string, vals: Partial<TicketValues>, inst: { id: number; kind: 'batch' | 'contract'; tick_minor: number } = serra) {
  const b = buildOrder(v(vals), inst);
  if (!b.ok) throw new Error(b.message);
  const r = await fetch(`${server.url}/api/v1/orders`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[who]}` }, body: JSON.stringify(b.body) });
  return { status: r.status, body: await r.json() };
}

beforeAll(async () => {
  server = await startCarbonx({ demo: true });
  tokens.buyer = await login('buyer@carbonx.demo', 'demo-buyer-2026');
  tokens.seller = await login('seller@carbonx.demo', 'demo-seller-2026');
}, 60000);
afterAll(async () => { await server?.stop(); });

describe('every order type the ticket builds is accepted by the exchange', () => {
  it('limit: good-till-time, post-only, iceberg, self-trade prevention', async () => {
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const gtt = await post('buyer', { price: '23.00', tif: 'gtt', expireAt: exp });
    expect(gtt.status).toBe(201);
    expect(gtt.body).toMatchObject({ time_in_force: 'gtt', expire_at_us: exp * 1e6, status: 'open' });
    const po = await post('buyer', { price: '23.10', postOnly: true, stp: 'cancel_oldest' });
    expect(po.body).toMatchObject({ post_only: true, stp: 'cancel_oldest', status: 'open' });
    const ice = await post('buyer', { price: '23.20', quantity: '5', display: '1' });
    expect(ice.body).toMatchObject({ display_quantity: '1.000', open_quantity: '5.000' });
    const book = await (await fetch(`${server.url}/api/v1/markets/1/book`)).json();
    expect(book.bids.find((l: { price: string }) => l.price === '23.20').quantity).toBe('1.000');  // only the display shows
  });
  it('minimum fill, market, fill-or-kill', async () => {
    const mq = await post('buyer', { price: '24.80', quantity: '2', minQty: '2', tif: 'ioc' });
    expect(mq.body).toMatchObject({ min_quantity: '2.000', filled_quantity: '2.000' });
    const mkt = await post('buyer', { type: 'market', tif: 'ioc', quantity: '1' });
    expect(mkt.status).toBe(201);
    expect(mkt.body.filled_quantity).toBe('1.000');
    const fok = await post('buyer', { price: '24.80', quantity: '1000', tif: 'fok' });
    expect(fok.status).toBeGreaterThanOrEqual(400);
    expect(fok.body.field).toBe('order');
  });
  it('stop and stop-limit wait for their trigger', async () => {
    const st = await post('buyer', { type: 'stop', stopPrice: '26.00', tif: 'ioc' });
    expect(st.body).toMatchObject({ type: 'stop', stop_price: '26.00', status: 'pending_stop' });
    const sl = await post('buyer', { type: 'stop_limit', price: '26.50', stopPrice: '26.00' });
    expect(sl.body).toMatchObject({ type: 'stop_limit', price: '26.50', stop_price: '26.00', status: 'pending_stop' });
  });
  it('a sell into a standard contract delivers the chosen batch', async () => {
    const s = await post('seller', { side: 'sell', price: '28.00', batch: '1' }, latam);
    expect(s.status).toBe(201);
    expect(s.body).toMatchObject({ batch: 1, side: 'sell', status: 'open' });
  });
});
