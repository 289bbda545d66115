// The WebSocket service against a real carbonx --demo (Node 22's WebSocket): snapshot then
// live deltas into the store, private fills, an injected sequence gap answered by a
// resubscription and a fresh snapshot equal to the REST book, a dropped connection
// answered by a reconnect that resubscribes everything, and sign-out clearing private data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeStore, type AppStore } from '../store';
import { signedIn, signedOut } from '../store/authSlice';
import { api } from './api';
import { setApiBase } from './reauth';
import { MarketSocket } from './ws';
import { startCarbonx } from '../../e2e/carbonx.mjs';

let server: Awaited<ReturnType<typeof startCarbonx>>;
let store: AppStore;
let sock: MarketSocket;
let token = '';
let userId = 0;

async function until(cond: () => boolean, what: string, ms = 10000) {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const market = () => store.getState().market;
async function order(tok: string, body: object) {
  const r = await fetch(`${server.url}/api/v1/orders`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tok}` }, body: JSON.stringify(body) });
  expect(r.status).toBe(201);
  return r.json();
}

beforeAll(async () => {
  server = await startCarbonx({ demo: true });
  setApiBase(`${server.url}/api/v1`);
  store = makeStore();
  const t = await store.dispatch(api.endpoints.login.initiate({ email: 'buyer@carbonx.demo', password: 'demo-buyer-2026' })).unwrap();
  store.dispatch(signedIn(t));
  token = t.access_token;
  userId = t.user!.id;
  sock = new MarketSocket(store, { url: `${server.url.replace(/^http/, 'ws')}/api/v1/ws`, initialDelayMs: 50, maxDelayMs: 200 });
  sock.start();
}, 60000);
afterAll(async () => { sock?.stop(); await server?.stop(); });

describe('market WebSocket service', () => {
  it('subscribes, gets snapshots, then live deltas, trades and private fills', async () => {
    sock.subscribe('depth:1');
    sock.subscribe('trades:1');
    sock.subscribe(`orders:${userId}`);
    await until(() => market().channels['depth:1']?.status === 'live' && market().channels[`orders:${userId}`]?.status === 'live', 'snapshots');
    expect(market().books[1].asks[0]).toEqual(['24.80', '170.000']);
    expect(market().books[1].bids[0]).toEqual(['23.90', '150.000']);
    expect(market().trades[1].length).toBe(3);
    await order(token, { instrument: 1, side: 'buy', type: 'limit', price: '24.80', quantity: '2' });
    await until(() => market().books[1].asks[0][1] === '168.000', 'the depth delta');
    await until(() => market().fills.length === 1, 'the private fill');
    expect(market().fills[0]).toMatchObject({ side: 'buy', price: '24.80', quantity: '2.000', batch: 1 });
    expect(market().trades[1][0]).toMatchObject({ price: '24.80', qty: '2.000' });
    expect(Object.values(market().orders).some((o) => o.status === 'filled')).toBe(true);
  });

  it('answers a sequence gap with a resubscription and a fresh snapshot', async () => {
    const seq = market().channels['depth:1'].seq;
    const sentBefore = sock.sent.length;
    sock.handle(JSON.stringify({ channel: 'depth:1', type: 'delta', seq: seq + 2, bids: [['1.00', '1.000']], asks: [] }));
    expect(market().gaps).toBe(1);
    expect(market().channels['depth:1'].status).toBe('pending');  // resubscribed at once
    expect(sock.sent.slice(sentBefore)).toEqual(['{"op":"unsubscribe","channel":"depth:1"}', '{"op":"subscribe","channel":"depth:1"}']);
    await until(() => market().channels['depth:1']?.status === 'live', 'the new snapshot');
    const rest = await (await fetch(`${server.url}/api/v1/markets/1/book?depth=1000`)).json();
    const book = market().books[1];
    expect(book.bids).toEqual(rest.bids.map((l: { price: string; quantity: string }) => [l.price, l.quantity]));
    expect(book.asks).toEqual(rest.asks.map((l: { price: string; quantity: string }) => [l.price, l.quantity]));
    expect(book.bids.some((l) => l[0] === '1.00')).toBe(false);  // the bogus level never applied
  });

  it('reconnects after a dropped connection and resubscribes every channel', async () => {
    (sock as unknown as { ws: WebSocket }).ws.close();
    await until(() => market().connection !== 'open', 'the drop');
    await until(() => market().connection === 'open' && market().channels['depth:1']?.status === 'live' && market().channels['trades:1']?.status === 'live', 'reconnect', 15000);
    const seller = await store.dispatch(api.endpoints.login.initiate({ email: 'seller@carbonx.demo', password: 'demo-seller-2026' })).unwrap();
    await order(seller.access_token, { instrument: 1, side: 'sell', type: 'limit', price: '24.70', quantity: '3' });
    await until(() => market().books[1].asks[0]?.[0] === '24.70', 'a delta after the reconnect');
    expect(market().books[1].asks[0]).toEqual(['24.70', '3.000']);
  });

  it('releasing the last reference unsubscribes; signing out forgets private data and reconnects anonymously', async () => {
    const off = sock.subscribe('bbo:1');
    await until(() => market().channels['bbo:1']?.status === 'live', 'bbo');
    off();
    expect(market().channels['bbo:1']).toBeUndefined();
    expect(sock.sent[sock.sent.length - 1]).toBe('{"op":"unsubscribe","channel":"bbo:1"}');
    store.dispatch(signedOut());
    expect(market().fills).toEqual([]);
    await until(() => market().connection === 'open' && market().channels['depth:1']?.status === 'live', 'anonymous reconnect');
  });
});
