// The signed-in user's open orders on one instrument (or all): REST list merged with live
// updates from orders:<user>. Cancel, cancel/replace (new price and quantity, errors next
// to the field), and cancel all.
import { useMemo, useState, type FormEvent } from 'react';
import { useCancelOrderMutation, useMassCancelMutation, useOrdersQuery, useReplaceOrderMutation } from '../../services/api';
import { useAppSelector } from '../../store/hooks';
import type { Order } from '../../store/marketSlice';
import { formatMoney, parsePrice } from '../../utils/decimal';
import { formatTonnes, parseTonnes } from '../../utils/format';
import { toFormError, type FormError } from '../../utils/problem';
import { QueryState } from '../common/Loading';
import { FormStatus } from '../common/FormStatus';
import { CField, TableWrap } from './common';

const LIVE = new Set(['open', 'pending_stop', 'partially_filled']);

function describe(o: Order): string {
  const parts = [o.type.replace('_', '-')];
  if (o.stop_price) parts.push(`stop ${o.stop_price}`);
  parts.push(o.time_in_force.toUpperCase());
  if (o.post_only) parts.push('post-only');
  if (o.display_quantity) parts.push(`iceberg ${o.display_quantity} t`);
  if (o.min_quantity) parts.push(`min ${o.min_quantity} t`);
  if (o.batch) parts.push(`batch #${o.batch}`);
  if (o.in_auction) parts.push('in auction');
  return parts.join(' · ');
}

function ReplaceForm({ order, onDone }: { order: Order; onDone: () => void }) {
  const [price, setPrice] = useState(order.price ?? '');
  const [qty, setQty] = useState(order.open_quantity);
  const [error, setError] = useState<FormError | null>(null);
  const [replace, st] = useReplaceOrderMutation();
  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    const p = parsePrice(price);
    if (!p.ok) return setError({ message: p.message, field: 'price' });
    const q = parseTonnes(qty);
    if (!q.ok) return setError({ message: q.message, field: 'quantity' });
    try {
      await replace({ id: order.id, price: price.trim(), quantity: qty.trim() }).unwrap();
      onDone();
    } catch (err) { setError(toFormError(err)); }
  }
  return (
    <form onSubmit={submit} noValidate aria-label={`Replace order ${order.id}`} className="inline-form">
      <CField label="New price" name="price" value={price} onChange={setPrice} error={error} inputMode="decimal" />
      <CField label="New open quantity (tonnes)" name="quantity" value={qty} onChange={setQty} error={error} inputMode="decimal" />
      <FormStatus error={error} fields={['price', 'quantity']} busy={st.isLoading} />
      <div className="actions">
        <button type="submit" disabled={st.isLoading}>Save</button>
        <button type="button" className="secondary" onClick={onDone}>Keep as is</button>
      </div>
    </form>
  );
}

export function OpenOrders({ instrument, symbol }: { instrument?: number; symbol?: string }) {
  const q = useOrdersQuery({ status: 'open', instrument, page_size: 100 });
  const live = useAppSelector((s) => s.market.orders);
  const [cancel, cst] = useCancelOrderMutation();
  const [massCancel, mst] = useMassCancelMutation();
  const [editing, setEditing] = useState<number | null>(null);
  const [notice, setNotice] = useState('');
  const orders = useMemo(() => {
    const m = new Map<number, Order>();
    for (const o of q.data?.items ?? []) m.set(o.id, o);
    for (const o of Object.values(live)) {
      if (instrument && o.instrument !== instrument) continue;
      const prev = m.get(o.id);
      if (!prev || o.updated_us >= prev.updated_us) m.set(o.id, o);
    }
    return [...m.values()].filter((o) => LIVE.has(o.status)).sort((a, b) => b.id - a.id);
  }, [q.data, live, instrument]);
  const err = cst.error ?? mst.error;
  return (
    <>
      <QueryState isLoading={q.isLoading} error={q.error} />
      {err ? <p className="form-error" role="alert">{toFormError(err).message}</p> : null}
      <p className="sr-only" aria-live="polite">{notice}</p>
      <TableWrap label="Open orders (scrollable)">
        <table>
          <caption>Open orders{symbol ? ` on ${symbol}` : ''}</caption>
          <thead><tr><th scope="col">Order</th><th scope="col">Side</th><th scope="col" className="num">Price</th><th scope="col" className="num">Open / total</th><th scope="col" className="num">Locked</th><th scope="col">Actions</th></tr></thead>
          <tbody>
            {orders.map((o) => (
              <tr key={o.id}>
                <td>#{o.id}{!instrument ? ` ${o.symbol ?? ''}` : ''}<br /><small>{describe(o)}</small></td>
                <td className={`side-${o.side}`}>{o.side}</td>
                <td className="num">{o.price ? formatMoney(o.price) : 'market'}</td>
                <td className="num">{formatTonnes(o.open_quantity)}<br /><small>of {formatTonnes(o.quantity)}</small></td>
                <td className="num">{formatMoney(o.cash_locked)}</td>
                <td>
                  {editing === o.id ? <ReplaceForm order={o} onDone={() => setEditing(null)} /> : (
                    <div className="actions">
                      {o.price && o.status !== 'pending_stop' ? <button type="button" className="secondary" onClick={() => setEditing(o.id)} aria-label={`Replace order ${o.id}`}>Replace</button> : null}
                      <button type="button" className="danger" disabled={cst.isLoading} aria-label={`Cancel order ${o.id}`}
                        onClick={async () => { const r = await cancel(o.id); if (!('error' in r)) setNotice(`Order ${o.id} cancelled.`); }}>Cancel</button>
                    </div>
                  )}
                </td>
              </tr>
            ))}
            {orders.length === 0 ? <tr><td colSpan={6}>No open orders.</td></tr> : null}
          </tbody>
        </table>
      </TableWrap>
      {orders.length > 1 ? (
        <button type="button" className="danger" disabled={mst.isLoading}
          onClick={async () => { const r = await massCancel(instrument); if ('data' in r && r.data) setNotice(`${r.data.cancelled} orders cancelled.`); }}>
          Cancel all{symbol ? ` on ${symbol}` : ''}
        </button>
      ) : null}
    </>
  );
}
