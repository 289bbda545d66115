// Primary issuance auctions: the form a holder (a project developer) uses to auction
// credits of a batch (listing the batch first when it has no instrument yet), and the list
// of instruments in a call auction with the indicative uncrossing price (polled).
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { useAuctionsQuery, useHoldingsQuery, useInstrumentsQuery, useListInstrumentMutation, useStartAuctionMutation, type Instrument } from '../../services/api';
import { formatMoney, parsePrice } from '../../utils/decimal';
import { formatTonnes, formatTs, parseTonnes } from '../../utils/format';
import { toFormError, type FormError } from '../../utils/problem';
import { FormStatus } from '../common/FormStatus';
import { QueryState } from '../common/Loading';
import { CField, TableWrap } from './common';

const FIELDS = ['batch', 'symbol', 'quantity', 'reserve_price', 'end_at'];

function localInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

export function AuctionForm({ account }: { account: number }) {
  const h = useHoldingsQuery(account);
  const inst = useInstrumentsQuery();
  const [list] = useListInstrumentMutation();
  const [start, st] = useStartAuctionMutation();
  const held = (h.data?.items ?? []).filter((x) => x.tradable_kg > 0);
  const [batch, setBatch] = useState('');
  const [symbol, setSymbol] = useState('');
  const [quantity, setQuantity] = useState('');
  const [reserve, setReserve] = useState('');
  const [endAt, setEndAt] = useState(() => localInput(new Date(Date.now() + 10 * 60_000)));
  const [error, setError] = useState<FormError | null>(null);
  const [done, setDone] = useState<Instrument | null>(null);
  const chosen = batch || String(held[0]?.batch ?? '');
  const listed = (inst.data?.items ?? []).find((i) => i.kind === 'batch' && String(i.batch) === chosen);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setDone(null);
    const q = parseTonnes(quantity);
    if (!q.ok) return setError({ message: q.message, field: 'quantity' });
    const p = parsePrice(reserve);
    if (!p.ok) return setError({ message: p.message, field: 'reserve_price' });
    const end = Date.parse(endAt);
    if (Number.isNaN(end)) return setError({ message: 'Choose when the auction ends', field: 'end_at' });
    try {
      let instrument = listed;
      if (!instrument) {
        instrument = await list({ batch: Number(chosen), ...(symbol.trim() ? { symbol: symbol.trim() } : {}) }).unwrap();
      }
      const r = await start({ instrument: instrument.id, quantity: quantity.trim(), reserve_price: reserve.trim(), end_at: Math.floor(end / 1000) }).unwrap();
      setDone(r);
      setQuantity('');
    } catch (err) {
      const fe = toFormError(err);
      setError(fe.field === 'instrument' ? { ...fe, field: 'batch' } : fe.field === 'end_ts' ? { ...fe, field: 'end_at' } : fe);
    }
  }
  if (h.isLoading) return <p role="status">Loading…</p>;
  if (held.length === 0) return <p>You hold no tradable credits to auction.</p>;
  return (
    <form onSubmit={submit} noValidate aria-label="Auction a batch">
      <CField label="Batch" name="batch" value={chosen} onChange={setBatch} error={error}
        options={held.map((x) => ({ value: String(x.batch), label: `#${x.batch} ${x.project_name} ${x.vintage} (${formatTonnes(x.tradable)} tradable)` }))}
        hint={listed ? `Listed as ${listed.symbol}.` : 'Not listed yet: it will be listed as an instrument first.'} />
      {!listed ? <CField label="Symbol for the new listing (optional)" name="symbol" value={symbol} onChange={setSymbol} error={error} placeholder="MANGROVE-25" /> : null}
      <CField label="Quantity (tonnes)" name="quantity" value={quantity} onChange={setQuantity} error={error} inputMode="decimal" required />
      <CField label="Reserve price (USD per tonne)" name="reserve_price" value={reserve} onChange={setReserve} error={error} inputMode="decimal" required />
      <CField label="Auction ends (your local time)" name="end_at" type="datetime-local" value={endAt} onChange={setEndAt} error={error} required />
      <FormStatus error={error} fields={FIELDS} busy={st.isLoading}
        success={done ? <p>Auction running on <Link to={`/markets/${done.id}`}>{done.symbol}</Link> until {formatTs(done.auction_end_us)}.</p> : null} />
      <button type="submit" disabled={st.isLoading}>Start auction</button>
    </form>
  );
}

export function AuctionsList() {
  const q = useAuctionsQuery(undefined, { pollingInterval: 5000 });
  return (
    <>
      <QueryState isLoading={q.isLoading} error={q.error} />
      {q.data ? (
        <TableWrap label="Call auctions (scrollable)">
          <table>
            <caption>Call auctions running</caption>
            <thead><tr><th scope="col">Market</th><th scope="col">Ends</th><th scope="col" className="num">Indicative price</th><th scope="col" className="num">Matched volume</th><th scope="col">Imbalance</th><th scope="col" className="num">Orders</th></tr></thead>
            <tbody>
              {q.data.items.map((a) => (
                <tr key={a.id}>
                  <td><Link to={`/markets/${a.id}`}>{a.symbol}</Link><br /><small>{a.project_name ?? 'standard contract'}</small></td>
                  <td>{formatTs(a.auction_end_us)}</td>
                  <td className="num">{a.indicative.price ? formatMoney(a.indicative.price, a.currency) : 'not crossed'}</td>
                  <td className="num">{formatTonnes(a.indicative.volume)}</td>
                  <td>{a.indicative.imbalance_side && a.indicative.imbalance_side !== 'none' ? `${formatTonnes(a.indicative.imbalance)} ${a.indicative.imbalance_side}` : '—'}</td>
                  <td className="num">{a.collected_orders}</td>
                </tr>
              ))}
              {q.data.items.length === 0 ? <tr><td colSpan={6}>No auction running.</td></tr> : null}
            </tbody>
          </table>
        </TableWrap>
      ) : null}
    </>
  );
}
