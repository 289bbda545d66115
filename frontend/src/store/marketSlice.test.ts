// The market slice: book from snapshot + deltas, sequence tracking, gap -> resync,
// snapshots after resubscription, trades/candles/stats/private updates.
import { describe, expect, it } from 'vitest';
import reducer, {
  applyLevels, channelsNeedingResync, connectionChanged, initialMarket, subscribing, unsubscribed, wsMessage, type Level, type MarketState, type WsMessage,
} from './marketSlice';

const run = (s: MarketState, ...ms: WsMessage[]) => ms.reduce((st, m) => reducer(st, wsMessage(m)), s);
const sub = (ch: string, s: MarketState = initialMarket) => reducer(s, subscribing(ch));
const snap = (seq: number, bids: Level[], asks: Level[]): WsMessage => ({ channel: 'depth:1', type: 'snapshot', seq, bids, asks });
const delta = (seq: number, bids: Level[], asks: Level[] = []): WsMessage => ({ channel: 'depth:1', type: 'delta', seq, bids, asks });

describe('applyLevels (book from deltas)', () => {
  it('inserts in price order, updates in place and removes on zero', () => {
    let bids: Level[] = [];
    bids = applyLevels(bids, [['23.90', '150.000'], ['24.10', '5.000'], ['9.50', '1.000'], ['100.00', '2.000']], true);
    expect(bids.map((l) => l[0])).toEqual(['100.00', '24.10', '23.90', '9.50']);  // exact decimal order, not string order
    bids = applyLevels(bids, [['24.10', '7.500'], ['100.00', '0.000']], true);
    expect(bids).toEqual([['24.10', '7.500'], ['23.90', '150.000'], ['9.50', '1.000']]);
    let asks: Level[] = applyLevels([], [['25.20', '300.000'], ['24.80', '170.000'], ['9.99', '1.000']], false);
    expect(asks.map((l) => l[0])).toEqual(['9.99', '24.80', '25.20']);
    asks = applyLevels(asks, [['9.99', '0'], ['24.9', '3.000']], false);  // "24.9" sorts as 24.90
    expect(asks.map((l) => l[0])).toEqual(['24.80', '24.9', '25.20']);
  });
  it('removing a level that is not there changes nothing', () => {
    const a: Level[] = [['1.00', '1.000']];
    expect(applyLevels(a, [['2.00', '0.000']], false)).toEqual(a);
  });
});

describe('market slice sequencing', () => {
  it('ignores messages before the snapshot, then applies deltas in order', () => {
    let s = sub('depth:1');
    s = run(s, delta(5, [['1.00', '1.000']]));  // before the snapshot: dropped
    expect(s.books[1]).toBeUndefined();
    s = run(s, snap(7, [['23.90', '150.000'], ['23.50', '300.000']], [['24.80', '170.000'], ['25.20', '300.000']]));
    expect(s.channels['depth:1']).toEqual({ status: 'live', seq: 7 });
    s = run(s, delta(8, [], [['24.80', '165.000']]), delta(9, [['24.00', '2.000']], [['24.80', '0.000']]));
    expect(s.books[1].asks).toEqual([['25.20', '300.000']]);
    expect(s.books[1].bids[0]).toEqual(['24.00', '2.000']);
    expect(s.channels['depth:1'].seq).toBe(9);
    expect(channelsNeedingResync(s)).toEqual([]);
  });

  it('a duplicate is ignored; a gap marks the channel for resync and freezes it until a new snapshot', () => {
    let s = run(sub('depth:1'), snap(1, [['10.00', '1.000']], []));
    s = run(s, delta(2, [['10.00', '2.000']]), delta(2, [['10.00', '9.000']]));
    expect(s.books[1].bids).toEqual([['10.00', '2.000']]);
    s = run(s, delta(4, [['11.00', '1.000']]));  // seq 3 was lost
    expect(s.channels['depth:1'].status).toBe('resync');
    expect(s.gaps).toBe(1);
    expect(channelsNeedingResync(s)).toEqual(['depth:1']);
    s = run(s, delta(5, [['12.00', '1.000']]));  // nothing applies while stale
    expect(s.books[1].bids).toEqual([['10.00', '2.000']]);
    s = reducer(s, subscribing('depth:1'));      // the service resubscribes
    expect(channelsNeedingResync(s)).toEqual([]);
    s = run(s, delta(6, [['13.00', '1.000']]), snap(6, [['11.00', '1.000'], ['12.00', '1.000'], ['10.00', '2.000']], []));
    expect(s.channels['depth:1']).toEqual({ status: 'live', seq: 6 });
    expect(s.books[1].bids.map((l) => l[0])).toEqual(['12.00', '11.00', '10.00']);
    s = run(s, delta(7, [['12.00', '0.000']]));
    expect(s.books[1].bids.map((l) => l[0])).toEqual(['11.00', '10.00']);
  });

  it('bbo messages are whole states: a gap is adopted without resync', () => {
    let s = run(sub('bbo:2'), { channel: 'bbo:2', type: 'bbo', seq: 2, bid: ['25.00', '100.000'], ask: null });
    expect(s.bbo[2]).toEqual({ bid: ['25.00', '100.000'], ask: null });
    s = run(s, { channel: 'bbo:2', type: 'bbo', seq: 5, bid: null, ask: ['26.00', '1.000'] });
    expect(s.bbo[2].ask).toEqual(['26.00', '1.000']);
    expect(s.channels['bbo:2']).toEqual({ status: 'live', seq: 5 });
  });

  it('reconnecting sends every channel back to pending; unsubscribed channels ignore late messages', () => {
    let s = run(sub('depth:1'), snap(1, [], []));
    s = reducer(s, connectionChanged('closed'));
    expect(s.channels['depth:1'].status).toBe('pending');
    s = run(s, delta(2, [['1.00', '1.000']]));
    expect(s.books[1].bids).toEqual([]);
    s = reducer(s, unsubscribed('depth:1'));
    s = run(s, snap(3, [['1.00', '1.000']], []));
    expect(s.books[1].bids).toEqual([]);
  });

  it('trades, candles, stats and index: snapshot then updates', () => {
    let s = sub('trades:1', sub('candles:1:1m', sub('stats:1', sub('index:all'))));
    const t = (id: number) => ({ id, instrument: 1, ts: id, price: '24.50', qty: '1.000', side: 'buy', notional: '24.50' });
    s = run(s,
      { channel: 'trades:1', type: 'snapshot', seq: 3, data: { instrument: 1, trades: [t(1), t(2), t(3)] } },
      { channel: 'trades:1', type: 'trade', seq: 4, trade: t(4) },
      { channel: 'trades:1', type: 'trade', seq: 5, trade: t(4) });
    expect(s.trades[1].map((x) => x.id)).toEqual([4, 3, 2, 1]);
    const c = (t0: number, close: string) => ({ t: t0, open: '1.00', high: '2.00', low: '1.00', close, volume: '1.000', notional: '1.00', trades: 1 });
    s = run(s,
      { channel: 'candles:1:1m', type: 'snapshot', seq: 1, data: { candles: [c(60, '1.50')] } },
      { channel: 'candles:1:1m', type: 'candle', seq: 2, candle: c(60, '1.75') },
      { channel: 'candles:1:1m', type: 'candle', seq: 3, candle: c(120, '2.00') });
    expect(s.candles['1:1m'].map((x) => [x.t, x.close])).toEqual([[60, '1.75'], [120, '2.00']]);
    s = run(s,
      { channel: 'stats:1', type: 'snapshot', seq: 3, data: { instrument: 1, last: '24.80', volume: '130.000' } },
      { channel: 'stats:1', type: 'stats', seq: 4, stats: { instrument: 1, last: '24.90', volume: '131.000' } as never });
    expect(s.stats[1].last).toBe('24.90');
    s = run(s,
      { channel: 'index:all', type: 'snapshot', seq: 4, data: { index: 'all', value: '24.89', trades: 4 } },
      { channel: 'index:all', type: 'index', seq: 5, index: { index: 'all', value: '25.00', trades: 5 } as never });
    expect(s.indices.all.value).toBe('25.00');
  });

  it('private orders and fills', () => {
    let s = run(sub('orders:6'), { channel: 'orders:6', type: 'snapshot', seq: 10 });
    s = run(s,
      { channel: 'orders:6', type: 'fill', seq: 11, data: { id: 5, instrument: 1, price: '24.80', quantity: '5.000', kg_ranges: [[5150000, 5155000]] } },
      { channel: 'orders:6', type: 'order', seq: 12, data: { id: 12, instrument: 1, status: 'filled', open_kg: 0 } });
    expect(s.fills.map((f) => f.id)).toEqual([5]);
    expect(s.orders[12].status).toBe('filled');
    s = run(s, { channel: 'orders:6', type: 'order', seq: 14, data: { id: 13, status: 'open' } });
    expect(s.orders[13]).toBeUndefined();
    expect(channelsNeedingResync(s)).toEqual(['orders:6']);
  });
});
