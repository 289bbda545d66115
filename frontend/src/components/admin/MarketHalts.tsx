// Admin: halt and resume trading per instrument (resume goes through a re-opening call
// auction of the chosen length). Auditors see the phases read-only.
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { useInstrumentsQuery, useSetPhaseMutation, type Instrument } from '../../services/api';
import { toFormError, type FormError } from '../../utils/problem';
import { QueryState } from '../common/Loading';
import { PhaseBadge, TableWrap } from '../trading/common';

function Row({ i, canEdit }: { i: Instrument; canEdit: boolean }) {
  const [reason, setReason] = useState('');
  const [reopen, setReopen] = useState('0');
  const [error, setError] = useState<FormError | null>(null);
  const [msg, setMsg] = useState('');
  const [setPhase, st] = useSetPhaseMutation();
  const halted = i.phase === 'halted';
  async function act(action: 'halt' | 'resume') {
    setError(null);
    setMsg('');
    try {
      const body = action === 'halt' ? { reason: reason.trim() || undefined } : { reopen_seconds: Number(reopen) || 0, reason: reason.trim() || undefined };
      const r = await setPhase({ id: i.id, action, ...body }).unwrap();
      setMsg(`${r.symbol} is now ${r.phase}.`);
    } catch (e) { setError(toFormError(e)); }
  }
  return (
    <tr>
      <td><Link to={`/markets/${i.id}`}>{i.symbol}</Link></td>
      <td><PhaseBadge phase={i.phase} reason={i.phase_reason} /></td>
      <td>
        {canEdit ? (
          <div className="actions halt-controls">
            <label className="sr-only" htmlFor={`reason-${i.id}`}>Reason for {i.symbol}</label>
            <input id={`reason-${i.id}`} value={reason} onChange={(e) => setReason(e.target.value)} placeholder="Reason" />
            {halted ? (
              <>
                <label className="sr-only" htmlFor={`reopen-${i.id}`}>Re-opening auction seconds for {i.symbol}</label>
                <input id={`reopen-${i.id}`} value={reopen} onChange={(e) => setReopen(e.target.value)} inputMode="numeric" size={4} aria-invalid={error?.field === 'reopen_seconds' ? true : undefined} />
                <button type="button" disabled={st.isLoading} onClick={() => act('resume')} aria-label={`Resume ${i.symbol}`}>Resume</button>
              </>
            ) : <button type="button" className="danger" disabled={st.isLoading} onClick={() => act('halt')} aria-label={`Halt ${i.symbol}`}>Halt</button>}
          </div>
        ) : null}
        <div aria-live="polite">
          {error ? <p className="form-error" role="alert" data-field-error={error.field}>{error.message}</p> : null}
          {msg ? <p className="success">{msg}</p> : null}
        </div>
      </td>
    </tr>
  );
}

export function MarketHalts({ canEdit }: { canEdit: boolean }) {
  const q = useInstrumentsQuery();
  return (
    <>
      <QueryState isLoading={q.isLoading} error={q.error} />
      {q.data ? (
        <TableWrap label="Markets (scrollable)">
          <table>
            <caption>Markets: halt and resume</caption>
            <thead><tr><th scope="col">Market</th><th scope="col">Phase</th><th scope="col">{canEdit ? 'Action (resume through a re-opening auction of N seconds)' : 'Action'}</th></tr></thead>
            <tbody>{q.data.items.map((i) => <Row key={i.id} i={i} canEdit={canEdit} />)}</tbody>
          </table>
        </TableWrap>
      ) : null}
    </>
  );
}
