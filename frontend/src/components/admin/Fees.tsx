// Admin: maker and taker fees per instrument. A change applies to orders entered after it;
// resting orders pay the lower of the new rate and the rate they entered at (their cash
// lock was sized with it). Auditors see the schedule read-only.
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { useInstrumentsQuery, type Instrument } from '../../services/api';
import { useSetFeesMutation } from '../../services/fees.api';
import { toFormError, type FormError } from '../../utils/problem';
import { QueryState } from '../common/Loading';
import { TableWrap } from '../trading/common';
import { bpAsPercent, checkFees } from './feeForm';

function Row({ i, canEdit }: { i: Instrument; canEdit: boolean }) {
  const [maker, setMaker] = useState(String(i.maker_fee_bp));
  const [taker, setTaker] = useState(String(i.taker_fee_bp));
  const [error, setError] = useState<FormError | null>(null);
  const [msg, setMsg] = useState('');
  const [setFees, st] = useSetFeesMutation();
  async function save(e: FormEvent) {
    e.preventDefault();
    setError(null);
    setMsg('');
    const c = checkFees({ maker, taker });
    if (!c.ok) { setError({ field: c.field, message: c.message }); return; }
    try {
      const r = await setFees({ id: i.id, maker_fee_bp: c.maker_fee_bp, taker_fee_bp: c.taker_fee_bp }).unwrap();
      setMsg(`${r.symbol}: maker ${bpAsPercent(r.maker_fee_bp)}, taker ${bpAsPercent(r.taker_fee_bp)}.`);
    } catch (err) { setError(toFormError(err)); }
  }
  const bad = (f: string) => (error?.field === f ? true : undefined);
  return (
    <tr>
      <td><Link to={`/markets/${i.id}`}>{i.symbol}</Link></td>
      <td>{bpAsPercent(i.maker_fee_bp)}</td>
      <td>{bpAsPercent(i.taker_fee_bp)}</td>
      <td>
        {canEdit ? (
          <form className="actions" onSubmit={save} noValidate>
            <label htmlFor={`maker-${i.id}`}>Maker bp</label>
            <input id={`maker-${i.id}`} value={maker} onChange={(e) => setMaker(e.target.value)} inputMode="numeric" size={4}
              aria-invalid={bad('maker_fee_bp')} aria-describedby={bad('maker_fee_bp') ? `fees-err-${i.id}` : undefined} />
            <label htmlFor={`taker-${i.id}`}>Taker bp</label>
            <input id={`taker-${i.id}`} value={taker} onChange={(e) => setTaker(e.target.value)} inputMode="numeric" size={4}
              aria-invalid={bad('taker_fee_bp')} aria-describedby={bad('taker_fee_bp') ? `fees-err-${i.id}` : undefined} />
            <button type="submit" disabled={st.isLoading} aria-label={`Save fees of ${i.symbol}`}>Save</button>
          </form>
        ) : null}
        <div aria-live="polite">
          {error ? <p className="form-error" role="alert" id={`fees-err-${i.id}`} data-field-error={error.field}>{error.message}</p> : null}
          {msg ? <p className="success">{msg}</p> : null}
        </div>
      </td>
    </tr>
  );
}

export function Fees({ canEdit }: { canEdit: boolean }) {
  const q = useInstrumentsQuery();
  return (
    <>
      <QueryState isLoading={q.isLoading} error={q.error} />
      {q.data ? (
        <TableWrap label="Fees (scrollable)">
          <table>
            <caption>Fees per market (1 bp = 0.01 %); resting orders never pay more than the rate they entered at</caption>
            <thead><tr><th scope="col">Market</th><th scope="col">Maker</th><th scope="col">Taker</th><th scope="col">{canEdit ? 'Change' : ''}</th></tr></thead>
            <tbody>{q.data.items.map((i) => <Row key={`${i.id}-${i.maker_fee_bp}-${i.taker_fee_bp}`} i={i} canEdit={canEdit} />)}</tbody>
          </table>
        </TableWrap>
      ) : null}
    </>
  );
}
