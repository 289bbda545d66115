// Order entry for one instrument: every order type the exchange has (limit, market, stop,
// stop-limit), time in force (GTC, good-till-time, IOC, FOK), post-only, iceberg display
// quantity, minimum fill, self-trade prevention, and -- selling into a standard contract --
// the seller's eligible batch. Amounts are typed and sent as decimal strings; the estimate
// is computed on integers. The server's problem+json error shows next to the field it
// names; a click on the ladder (`prefill`) sets side and price.
import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { useBatchDetailsQuery, useHoldingsQuery, usePlaceOrderMutation, type Instrument, type OrderReply } from '../../services/api';
import { buildOrder, hasLimitPrice, hasStopPrice } from './orderForm';
import { feeMinor, formatMoney, fromScaled, notionalMinor, parsePrice } from '../../utils/decimal';
import { formatTonnes, parseTonnes } from '../../utils/format';
import { ineligibility } from '../../utils/eligibility';
import { toFormError, type FormError } from '../../utils/problem';
import { FormStatus } from '../common/FormStatus';
import { CField } from './common';

const FIELDS = ['side', 'type', 'price', 'stop_price', 'quantity', 'time_in_force', 'expire_at', 'post_only', 'display_quantity', 'min_quantity', 'stp', 'batch'];
const TYPES = [
  { value: 'limit', label: 'Limit' }, { value: 'market', label: 'Market' }, { value: 'stop', label: 'Stop (market when triggered)' },
  { value: 'stop_limit', label: 'Stop-limit' },
];
const TIFS = [
  { value: 'gtc', label: 'Good till cancelled (GTC)' }, { value: 'gtt', label: 'Good till time (GTT)' },
  { value: 'ioc', label: 'Immediate or cancel (IOC)' }, { value: 'fok', label: 'Fill or kill (FOK)' },
];
const STPS = [
  { value: 'cancel_newest', label: 'Cancel newest (default)' }, { value: 'cancel_oldest', label: 'Cancel oldest' },
  { value: 'cancel_both', label: 'Cancel both' }, { value: 'none', label: 'None' },
];

export interface Prefill { side: 'buy' | 'sell'; price: string; n: number }

function SellBatch({ instrument, account, value, onChange, error }: {
  instrument: Instrument; account: number; value: string; onChange: (v: string) => void; error: FormError | null;
}) {
  const h = useHoldingsQuery(account);
  const held = (h.data?.items ?? []).filter((x) => x.tradable_kg > 0);
  const d = useBatchDetailsQuery(held.map((x) => x.batch), { skip: held.length === 0 });
  const options = useMemo(() => held.map((x) => {
    const det = d.data?.find((y) => y.batch.id === x.batch);
    const why = det && instrument.criteria ? ineligibility(instrument.criteria, {
      vintage: det.batch.vintage, country: det.batch.country, methodology: det.batch.methodology, corsia: det.batch.corsia,
      corresponding_adjustment: det.batch.corresponding_adjustment, origin_registry: det.batch.origin_registry, classCode: det.classCode,
      mitigation: det.project?.mitigation ?? '', nature: det.project?.nature ?? '',
    }) : [];
    return {
      value: String(x.batch), disabled: why.length > 0,
      label: `#${x.batch} ${x.project_name} ${x.vintage} (${formatTonnes(x.tradable)} tradable)${why.length ? ` — not eligible: ${why.join('; ')}` : ''}`,
    };
  }), [held, d.data, instrument.criteria]);
  const firstOk = options.find((o) => !o.disabled)?.value ?? '';
  useEffect(() => { if (!value || options.find((o) => o.value === value)?.disabled) onChange(firstOk); }, [firstOk, value, options, onChange]);
  if (h.isLoading || d.isLoading) return <p role="status">Loading your batches…</p>;
  if (held.length === 0) return <p className="field-error" data-field-error="batch">You hold no tradable credits to deliver.</p>;
  return (
    <CField label="Batch to deliver" name="batch" value={value} onChange={onChange} error={error} options={options}
      hint="Only batches meeting the contract's criteria can be delivered." />
  );
}

export function OrderTicket({ instrument, account, prefill }: { instrument: Instrument; account: number | null; prefill?: Prefill }) {
  const [side, setSide] = useState<'buy' | 'sell'>('buy');
  const [type, setType] = useState('limit');
  const [price, setPrice] = useState('');
  const [stopPrice, setStopPrice] = useState('');
  const [quantity, setQuantity] = useState('');
  const [tif, setTif] = useState('gtc');
  const [expireAt, setExpireAt] = useState('');
  const [postOnly, setPostOnly] = useState(false);
  const [display, setDisplay] = useState('');
  const [minQty, setMinQty] = useState('');
  const [stp, setStp] = useState('cancel_newest');
  const [batch, setBatch] = useState('');
  const [error, setError] = useState<FormError | null>(null);
  const [result, setResult] = useState<OrderReply | null>(null);
  const [place, st] = usePlaceOrderMutation();
  const qtyRef = useRef<HTMLInputElement | null>(null);
  const formRef = useRef<HTMLFormElement | null>(null);

  useEffect(() => {
    if (!prefill) return;
    setSide(prefill.side);
    setPrice(prefill.price);
    if (type !== 'limit' && type !== 'stop_limit') { setType('limit'); setTif('gtc'); }
    qtyRef.current?.focus();
  }, [prefill?.n]);

  const hasPrice = hasLimitPrice(type);
  const hasStop = hasStopPrice(type);
  const tifOptions = hasPrice ? TIFS : TIFS.filter((t) => t.value === 'ioc' || t.value === 'fok');
  function changeType(t: string) {
    setType(t);
    setTif(t === 'limit' || t === 'stop_limit' ? 'gtc' : 'ioc');
    if (t !== 'limit') setPostOnly(false);
  }

  // Estimate on integers: notional at the limit plus the taker fee (what a buy locks).
  const estimate = useMemo(() => {
    const q = parseTonnes(quantity);
    const p = parsePrice(hasPrice ? price : stopPrice, instrument.tick_minor);
    if (!q.ok || !p.ok) return null;
    const n = notionalMinor(p.minor, q.kg);
    const fee = feeMinor(n, Math.max(instrument.taker_fee_bp, instrument.maker_fee_bp));
    return { n: fromScaled(n, 2), fee: fromScaled(fee, 2), total: fromScaled(side === 'buy' ? n + fee : n - fee, 2) };
  }, [quantity, price, stopPrice, hasPrice, side, instrument]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setResult(null);
    const expire = expireAt ? Date.parse(expireAt) : NaN;
    const built = buildOrder({
      side, type, price, stopPrice, quantity, tif, expireAt: Number.isNaN(expire) ? null : Math.floor(expire / 1000),
      postOnly, display, minQty, stp, batch,
    }, instrument);
    let fe: FormError | null = null;
    if (!built.ok) {
      fe = { message: built.message, field: built.field, code: 'CLIENT_INVALID' };
    } else {
      try {
        setResult(await place(built.body).unwrap());
        setQuantity('');
      } catch (err) {
        fe = toFormError(err);
      }
    }
    if (fe) {
      setError(fe);
      if (fe.field) formRef.current?.querySelector<HTMLElement>(`[name="${fe.field}"]`)?.focus();
    }
  }

  if (account === null) return <p>Sign in to trade.</p>;
  const halted = instrument.phase === 'halted';
  const legend = `${side === 'buy' ? 'Buy' : 'Sell'} ${instrument.symbol}`;
  return (
    <form ref={formRef} onSubmit={submit} noValidate aria-label="Order ticket" className="ticket">
      <fieldset className="side-switch">
        <legend>Side</legend>
        {(['buy', 'sell'] as const).map((s) => (
          <label key={s} className={`check side-${s}${side === s ? ' on' : ''}`}>
            <input type="radio" name="side" value={s} checked={side === s} onChange={() => setSide(s)} /> {s === 'buy' ? 'Buy' : 'Sell'}
          </label>
        ))}
      </fieldset>
      <CField label="Order type" name="type" value={type} onChange={changeType} error={error} options={TYPES} />
      {hasPrice ? <CField label={`Limit price (${instrument.currency} per tonne)`} name="price" value={price} onChange={setPrice} error={error} inputMode="decimal" placeholder={instrument.best_ask ?? '24.80'} hint={`Tick ${instrument.tick}`} required /> : null}
      {hasStop ? <CField label={`Stop price (${instrument.currency})`} name="stop_price" value={stopPrice} onChange={setStopPrice} error={error} inputMode="decimal" hint="Triggers when a trade reaches this price." required /> : null}
      <CField label="Quantity (tonnes)" name="quantity" value={quantity} onChange={setQuantity} error={error} inputMode="decimal" placeholder="10.000" inputRef={(el) => { qtyRef.current = el; }} required hint={`Lot ${formatTonnes(instrument.lot)}`} />
      {side === 'sell' && instrument.kind === 'contract' ? <SellBatch instrument={instrument} account={account} value={batch} onChange={setBatch} error={error} /> : null}
      <CField label="Time in force" name="time_in_force" value={tif} onChange={setTif} error={error} options={tifOptions} />
      {tif === 'gtt' ? <CField label="Expires at (your local time)" name="expire_at" type="datetime-local" value={expireAt} onChange={setExpireAt} error={error} required /> : null}
      <details className="advanced">
        <summary>More options (post-only, iceberg, minimum fill, self-trade prevention)</summary>
        <div className={`field${error?.field === 'post_only' ? ' has-error' : ''}`}>
          <label className="check">
            <input type="checkbox" name="post_only" checked={postOnly} disabled={type !== 'limit'} onChange={(e) => setPostOnly(e.target.checked)}
              aria-invalid={error?.field === 'post_only' ? true : undefined} /> Post-only (never takes liquidity; limit orders)
          </label>
          {error?.field === 'post_only' ? <p className="field-error" role="alert" data-field-error="post_only">{error.message}</p> : null}
        </div>
        <CField label="Display quantity (iceberg, tonnes)" name="display_quantity" value={display} onChange={setDisplay} error={error} inputMode="decimal" hint="Only this much shows in the book at a time." />
        <CField label="Minimum fill (tonnes)" name="min_quantity" value={minQty} onChange={setMinQty} error={error} inputMode="decimal" />
        <CField label="Self-trade prevention" name="stp" value={stp} onChange={setStp} error={error} options={STPS} />
      </details>
      {estimate ? (
        <p className="estimate" aria-live="polite">
          {side === 'buy' ? 'Locks up to' : 'Receives about'} <strong>{formatMoney(estimate.total, instrument.currency)}</strong> ({formatMoney(estimate.n)} notional {side === 'buy' ? '+' : '−'} up to {formatMoney(estimate.fee)} fee)
        </p>
      ) : null}
      {halted ? <p className="form-error">Trading is halted{instrument.phase_reason ? `: ${instrument.phase_reason}` : ''}. Orders are refused; cancels still work.</p> : null}
      <FormStatus error={error} fields={FIELDS} busy={st.isLoading}
        success={result ? (
          <p data-testid="order-result">Order #{result.id} {result.status.replace(/_/g, ' ')}: filled {formatTonnes(result.filled_quantity)}
            {result.average_price ? ` at an average ${formatMoney(result.average_price, instrument.currency)}` : ''}, open {formatTonnes(result.open_quantity)}.</p>
        ) : null} />
      <button type="submit" className={`submit-${side}`} disabled={st.isLoading}>{legend}</button>
    </form>
  );
}
