// The order ticket's values -> the POST /orders body, checked before anything is sent.
// Pure: returns the request, or the field at fault with a message (the same way the server
// answers, so the form shows both kinds of error next to the field).
import type { Instrument, OrderRequest } from '../../services/api';
import { parsePrice } from '../../utils/decimal';
import { parseTonnes } from '../../utils/format';

export interface TicketValues {
  side: 'buy' | 'sell'; type: string; price: string; stopPrice: string; quantity: string; tif: string;
  /** GTT expiry as unix seconds (the form converts its local date-time), or null. */
  expireAt: number | null; postOnly: boolean; display: string; minQty: string; stp: string; batch: string;
}

export type BuiltOrder = { ok: true; body: OrderRequest } | { ok: false; field: string; message: string };

export const hasLimitPrice = (type: string) => type === 'limit' || type === 'stop_limit';
export const hasStopPrice = (type: string) => type === 'stop' || type === 'stop_limit';

export function buildOrder(v: TicketValues, inst: Pick<Instrument, 'id' | 'kind' | 'tick_minor'>): BuiltOrder {
  const q = parseTonnes(v.quantity);
  if (!q.ok) return { ok: false, field: 'quantity', message: q.message };
  const body: OrderRequest = { instrument: inst.id, side: v.side, type: v.type, quantity: v.quantity.trim().replace(/,/g, ''), time_in_force: v.tif, stp: v.stp };
  if (hasLimitPrice(v.type)) {
    const p = parsePrice(v.price, inst.tick_minor);
    if (!p.ok) return { ok: false, field: 'price', message: p.message };
    body.price = v.price.trim();
  }
  if (hasStopPrice(v.type)) {
    const p = parsePrice(v.stopPrice, inst.tick_minor);
    if (!p.ok) return { ok: false, field: 'stop_price', message: p.message };
    body.stop_price = v.stopPrice.trim();
  }
  if (v.tif === 'gtt') {
    if (v.expireAt === null || !Number.isFinite(v.expireAt)) return { ok: false, field: 'expire_at', message: 'Choose when the order expires' };
    body.expire_at = v.expireAt;
  }
  if (v.postOnly) body.post_only = true;
  for (const [k, s] of [['display_quantity', v.display], ['min_quantity', v.minQty]] as const) {
    if (!s.trim()) continue;
    const c = parseTonnes(s);
    if (!c.ok) return { ok: false, field: k, message: c.message };
    body[k] = s.trim().replace(/,/g, '');
  }
  if (v.side === 'sell' && inst.kind === 'contract') {
    if (!v.batch) return { ok: false, field: 'batch', message: 'Choose the batch to deliver' };
    body.batch = Number(v.batch);
  }
  return { ok: true, body };
}
