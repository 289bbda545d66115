// The signed-in user's fills: REST history merged with live fills from orders:<user>.
// Each fill states the delivered batch and its serial ranges (kilogram ranges turned into
// tonne serials with the batch's first serial). New live fills are announced politely.
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import { useBatchQuery, useFillsQuery } from '../../services/api';
import { useAppSelector } from '../../store/hooks';
import type { Fill } from '../../store/marketSlice';
import { formatMoney, kgRangeText } from '../../utils/decimal';
import { formatTonnes, formatTs } from '../../utils/format';
import { QueryState } from '../common/Loading';
import { TableWrap } from './common';

function Delivered({ fill }: { fill: Fill }) {
  const b = useBatchQuery(fill.batch, { skip: !fill.batch });
  const start = b.data?.serial_start ?? 1;
  return (
    <>
      <Link to={`/projects/${b.data?.project ?? ''}`} aria-label={`Batch ${fill.batch}${b.data ? ` of ${b.data.project_name}` : ''}`}>#{fill.batch}</Link>
      {b.data ? <> <small>{b.data.project_name}, {b.data.vintage}</small></> : null}
      <div className="mono" data-testid="serials">{fill.kg_ranges.map(([lo, hi]) => (
        <div key={lo}>serials {kgRangeText(lo, hi, start, b.data?.quantity_kg)} <small>(kg {lo}–{hi})</small></div>
      ))}</div>
    </>
  );
}

export function Fills({ instrument, symbols }: { instrument?: number; symbols?: Record<number, string> }) {
  const q = useFillsQuery({ instrument, page_size: 50 });
  const live = useAppSelector((s) => s.market.fills);
  const fills = useMemo(() => {
    const m = new Map<number, Fill>();
    for (const f of q.data?.items ?? []) m.set(f.id, f);
    for (const f of live) if (!instrument || f.instrument === instrument) m.set(f.id, f);
    return [...m.values()].sort((a, b) => b.id - a.id);
  }, [q.data, live, instrument]);
  // Announce fills that arrive live after the list was shown (not the history).
  const newest = live.find((f) => !instrument || f.instrument === instrument);
  const seen = useRef<number>(newest?.id ?? 0);
  const [announce, setAnnounce] = useState('');
  useEffect(() => {
    if (!newest || newest.id === seen.current) return;
    seen.current = newest.id;
    setAnnounce(`New fill: ${newest.side === 'sell' ? 'sold' : 'bought'} ${formatTonnes(newest.quantity)} at ${formatMoney(newest.price, newest.currency)}.`);
  }, [newest]);
  return (
    <>
      <QueryState isLoading={q.isLoading} error={q.error} />
      <div role="status" aria-live="polite" aria-atomic="true" className="live-note" data-testid="fill-announcer">{announce}</div>
      <TableWrap label="My fills (scrollable)">
        <table>
          <caption>My fills</caption>
          <thead><tr><th scope="col">Time</th>{!instrument ? <th scope="col">Market</th> : null}<th scope="col">Side</th><th scope="col" className="num">Price</th><th scope="col" className="num">Quantity</th><th scope="col" className="num">Fee</th><th scope="col">Delivered batch and serials</th></tr></thead>
          <tbody>
            {fills.slice(0, 50).map((f) => (
              <tr key={f.id} data-fill={f.id}>
                <td>{formatTs(f.ts_us)}<br /><small>fill #{f.id} · {f.liquidity ?? ''}</small></td>
                {!instrument ? <td>{symbols?.[f.instrument] ?? `#${f.instrument}`}</td> : null}
                <td className={`side-${f.side}`}>{f.side}</td>
                <td className="num">{formatMoney(f.price, f.currency)}</td>
                <td className="num">{formatTonnes(f.quantity)}</td>
                <td className="num">{formatMoney(f.fee ?? '0.00')}</td>
                <td><Delivered fill={f} /></td>
              </tr>
            ))}
            {fills.length === 0 ? <tr><td colSpan={instrument ? 6 : 7}>No fills yet.</td></tr> : null}
          </tbody>
        </table>
      </TableWrap>
    </>
  );
}
