// Live market data fed by the WebSocket service (services/ws.ts). Contract:
// - every channel message carries `seq`; a subscription starts with a snapshot (depth,
//   trades, candles, stats, index, orders) or, for bbo, a whole-state message. A channel is
//   `pending` until its snapshot arrives (other messages are ignored then), `live` after it.
// - a live channel whose next message does not carry seq = last + 1 is marked `resync` and
//   its data is kept but not advanced; the service sees it and resubscribes, which brings a
//   fresh snapshot. Duplicates (seq <= last) are ignored. bbo messages are whole states, so
//   a gap there is simply adopted.
// - the book is rebuilt from the depth snapshot plus deltas: a delta's [price, qty] sets the
//   level, qty zero removes it; bids stay sorted high to low, asks low to high, compared
//   exactly as decimal strings.
// - private orders:<user> messages ("order" / "fill") land in `orders` and `fills`.
// Pure reducers; no I/O.
import { createSlice, type PayloadAction } from '@reduxjs/toolkit';
import { cmpDecimal, isZero } from '../utils/decimal';

export type Level = [price: string, qty: string];
export interface Book { bids: Level[]; asks: Level[]; seq: number }
export interface Trade { id: number; instrument: number; ts: number; price: string; qty: string; side: string; notional: string }
export interface Candle { t: number; open: string; high: string; low: string; close: string; volume: string; notional: string; trades: number }
export interface Stats {
  instrument: number; window: number; as_of: number; trades: number; open: string | null; high: string | null; low: string | null;
  last: string | null; change: string | null; change_bp: number | null; volume: string; notional: string; vwap: string | null;
}
export interface IndexValue { index: string; window: number; as_of: number; value: string | null; trades: number; volume: string; notional: string }
export interface Bbo { bid: Level | null; ask: Level | null }
export interface Order {
  id: number; client_order_id: string; instrument: number; symbol?: string; account: number; side: 'buy' | 'sell'; type: string;
  time_in_force: string; stp: string; post_only: boolean; price: string | null; stop_price: string | null; protection_price: string | null;
  quantity: string; quantity_kg: number; open_quantity: string; open_kg: number; filled_quantity: string; filled_kg: number;
  display_quantity: string | null; min_quantity: string | null; expire_at_us: number | null; average_price: string | null;
  notional: string; fees: string; cash_locked: string; batch?: number; status: string; in_auction: boolean; reject_code?: string;
  created_us: number; updated_us: number;
}
export interface Fill {
  id: number; instrument: number; buy_order: number; sell_order: number; side?: 'buy' | 'sell'; liquidity?: string; fee?: string;
  price: string; price_minor: number; quantity: string; quantity_kg: number; notional: string; currency: string; batch: number;
  kg_ranges: Array<[number, number]>; ts_us: number;
}

export type ChannelStatus = 'pending' | 'live' | 'resync';
export interface ChannelState { status: ChannelStatus; seq: number }
export type Connection = 'idle' | 'connecting' | 'open' | 'closed';

export interface MarketState {
  connection: Connection;
  channels: Record<string, ChannelState>;
  books: Record<number, Book>;
  bbo: Record<number, Bbo>;
  trades: Record<number, Trade[]>;      // newest first
  candles: Record<string, Candle[]>;    // key "<id>:<interval>", oldest first
  stats: Record<number, Stats>;
  indices: Record<string, IndexValue>;
  orders: Record<number, Order>;        // latest private update per order id
  fills: Fill[];                        // private fills seen live, newest first
  gaps: number;                         // gaps detected (for display and tests)
}

export const MAX_TRADES = 100;
export const MAX_CANDLES = 500;
export const MAX_FILLS = 200;

export const initialMarket: MarketState = {
  connection: 'idle', channels: {}, books: {}, bbo: {}, trades: {}, candles: {}, stats: {}, indices: {}, orders: {}, fills: [], gaps: 0,
};

/** A channel message as the server sends it (see backend/src/marketdata/json.h). */
export interface WsMessage {
  channel?: string; type?: string; seq?: number; detail?: string;
  bids?: Level[]; asks?: Level[]; bid?: Level | null; ask?: Level | null;
  data?: unknown; trade?: Trade; candle?: Candle; stats?: Stats; index?: IndexValue;
}

/** Applies one side's changes to sorted levels: qty zero removes, otherwise sets. `desc` for bids. */
export function applyLevels(levels: Level[], changes: Level[], desc: boolean): Level[] {
  const out = levels.slice();
  for (const [price, qty] of changes) {
    // Binary search for the price's position in the sorted side.
    let lo = 0;
    let hi = out.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const c = cmpDecimal(out[mid][0], price);
      if (desc ? c > 0 : c < 0) lo = mid + 1; else hi = mid;
    }
    const found = lo < out.length && cmpDecimal(out[lo][0], price) === 0;
    if (isZero(qty)) {
      if (found) out.splice(lo, 1);
    } else if (found) {
      out[lo] = [out[lo][0], qty];
    } else {
      out.splice(lo, 0, [price, qty]);
    }
  }
  return out;
}

function sorted(levels: Level[] | undefined, desc: boolean): Level[] {
  return applyLevels([], (levels ?? []).filter((l) => !isZero(l[1])), desc);
}

/** "depth:12" -> {kind: "depth", id: 12, rest: ""}; "candles:1:5m" -> rest "5m". */
export function parseChannel(ch: string): { kind: string; id: number; rest: string; key: string } {
  const [kind, a = '', b = ''] = ch.split(':');
  return { kind, id: Number(a), rest: b, key: b ? `${a}:${b}` : a };
}

function upsertCandle(list: Candle[], c: Candle): Candle[] {
  const out = list.slice();
  const i = out.findIndex((x) => x.t === c.t);
  if (i >= 0) out[i] = c;
  else {
    out.push(c);
    out.sort((x, y) => x.t - y.t);
  }
  return out.length > MAX_CANDLES ? out.slice(out.length - MAX_CANDLES) : out;
}

function addTrade(list: Trade[], t: Trade): Trade[] {
  if (list.some((x) => x.id === t.id)) return list;
  const out = [t, ...list].sort((x, y) => y.id - x.id);
  return out.slice(0, MAX_TRADES);
}

function applySnapshot(s: MarketState, ch: string, m: WsMessage) {
  const { kind, id, key } = parseChannel(ch);
  const d = (m.data ?? {}) as Record<string, unknown>;
  switch (kind) {
    case 'depth':
      s.books[id] = { bids: sorted(m.bids, true), asks: sorted(m.asks, false), seq: m.seq ?? 0 };
      break;
    case 'bbo':
      s.bbo[id] = { bid: m.bid ?? null, ask: m.ask ?? null };
      break;
    case 'trades':
      s.trades[id] = ((d.trades as Trade[]) ?? []).slice().sort((x, y) => y.id - x.id).slice(0, MAX_TRADES);
      break;
    case 'candles':
      s.candles[key] = ((d.candles as Candle[]) ?? []).slice().sort((x, y) => x.t - y.t).slice(-MAX_CANDLES);
      break;
    case 'stats':
      s.stats[id] = d as unknown as Stats;
      break;
    case 'index':
      s.indices[parseChannel(ch).key] = d as unknown as IndexValue;
      break;
    default:
      break;  // orders:<u> snapshots carry only the seq; open orders come from REST
  }
}

function applyUpdate(s: MarketState, ch: string, m: WsMessage) {
  const { kind, id, key } = parseChannel(ch);
  switch (kind) {
    case 'depth': {
      const b = s.books[id] ?? { bids: [], asks: [], seq: 0 };
      s.books[id] = { bids: applyLevels(b.bids, m.bids ?? [], true), asks: applyLevels(b.asks, m.asks ?? [], false), seq: m.seq ?? b.seq };
      break;
    }
    case 'bbo':
      s.bbo[id] = { bid: m.bid ?? null, ask: m.ask ?? null };
      break;
    case 'trades':
      if (m.trade) s.trades[id] = addTrade(s.trades[id] ?? [], m.trade);
      break;
    case 'candles':
      if (m.candle) s.candles[key] = upsertCandle(s.candles[key] ?? [], m.candle);
      break;
    case 'stats':
      if (m.stats) s.stats[id] = m.stats;
      break;
    case 'index':
      if (m.index) s.indices[key] = { ...s.indices[key], ...m.index };
      break;
    case 'orders':
      if (m.type === 'order' && m.data) {
        const o = m.data as Order;
        s.orders[o.id] = o;
      } else if (m.type === 'fill' && m.data) {
        const f = m.data as Fill;
        if (!s.fills.some((x) => x.id === f.id)) s.fills = [f, ...s.fills].slice(0, MAX_FILLS);
      }
      break;
    default:
      break;
  }
}

const slice = createSlice({
  name: 'market',
  initialState: initialMarket,
  reducers: {
    connectionChanged(s, a: PayloadAction<Connection>) {
      s.connection = a.payload;
      // After a (re)connect every channel starts over with a snapshot.
      if (a.payload !== 'open') for (const c of Object.values(s.channels)) c.status = 'pending';
    },
    /** The service (re)sent a subscribe: wait for the snapshot. */
    subscribing(s, a: PayloadAction<string>) {
      s.channels[a.payload] = { status: 'pending', seq: s.channels[a.payload]?.seq ?? 0 };
    },
    unsubscribed(s, a: PayloadAction<string>) {
      delete s.channels[a.payload];
    },
    /** One message from the socket (already parsed JSON). */
    wsMessage(s, a: PayloadAction<WsMessage>) {
      const m = a.payload;
      const ch = m.channel;
      if (!ch || m.type === 'subscribed' || m.type === 'unsubscribed' || m.type === 'error') return;
      const st = s.channels[ch];
      if (!st) return;  // not subscribed (a late message after unsubscribe)
      const seq = m.seq ?? 0;
      const isBbo = ch.startsWith('bbo:');
      if (m.type === 'snapshot' || (isBbo && st.status === 'pending')) {
        applySnapshot(s, ch, m);
        s.channels[ch] = { status: 'live', seq };
        return;
      }
      if (st.status !== 'live') return;  // waiting for a snapshot: deltas cannot apply
      if (seq <= st.seq) return;          // duplicate or stale
      if (seq !== st.seq + 1 && !isBbo) {
        st.status = 'resync';
        s.gaps += 1;
        return;
      }
      applyUpdate(s, ch, m);
      st.seq = seq;
    },
    /** Forgets the private data (sign-out). */
    privateCleared(s) {
      s.orders = {};
      s.fills = [];
      for (const ch of Object.keys(s.channels)) if (ch.startsWith('orders:')) delete s.channels[ch];
    },
  },
});

export const { connectionChanged, subscribing, unsubscribed, wsMessage, privateCleared } = slice.actions;
export default slice.reducer;

/** Channels whose data is stale after a gap (the service resubscribes them). */
export function channelsNeedingResync(s: MarketState): string[] {
  return Object.entries(s.channels).filter(([, c]) => c.status === 'resync').map(([ch]) => ch);
}
