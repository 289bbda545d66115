// Verifier queue: validate / request changes / reject submitted projects (with reasons);
// approve or reject pending issuances (with reasons). Each row shows the server's error.
import { useId, useState } from 'react';
import { Link } from 'react-router-dom';
import { useIssuanceActionMutation, useIssuancesQuery, useProjectActionMutation, useProjectsQuery, type Issuance, type Project } from '../services/api';
import { Pager } from '../components/common/Pager';
import { QueryState } from '../components/common/Loading';
import { RequireRole } from '../components/common/RequireRole';
import { formatPeriod, formatTonnes } from '../utils/format';
import { fieldError, formLevelError, toFormError, type FormError } from '../utils/problem';
import { ReportDocument } from '../components/documents/ProjectDocuments';
import { ChainApprovals } from '../components/wallet/ChainApprovals';

function ReasonBox({ label, error, value, onChange }: { label: string; error: FormError | null; value: string; onChange: (s: string) => void }) {
  const id = useId();
  const msg = fieldError(error, 'reason');
  return (
    <div className={`field${msg ? ' has-error' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input id={id} name="reason" value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={msg ? true : undefined} aria-describedby={msg ? `${id}-e` : undefined} />
      {msg ? <p id={`${id}-e`} className="field-error" role="alert" data-field-error="reason">{msg}</p> : null}
    </div>
  );
}

function ProjectRow({ p, onDone }: { p: Project; onDone: (msg: string) => void }) {
  const [reason, setReason] = useState('');
  const [act, st] = useProjectActionMutation();
  const [error, setError] = useState<FormError | null>(null);
  const [done, setDone] = useState('');
  async function run(action: 'validate' | 'request-changes' | 'reject') {
    setError(null);
    try {
      const r = await act({ id: p.id, action, reason: reason || (action === 'validate' ? undefined : '') }).unwrap();
      const msg = `${p.name} is now ${r.status.replace('_', ' ')}.`;
      setDone(msg);
      onDone(msg);
    } catch (e) { setError(toFormError(e)); }
  }
  return (
    <li className="card" aria-label={`Project ${p.name}`}>
      <h3><Link to={`/projects/${p.id}`}>{p.name}</Link></h3>
      <p>{p.country} · {p.methodology} · {p.mitigation}, {p.nature.replace('_', ' ')} · developer {p.developer_name || p.developer}</p>
      <ReasonBox label={`Reason for ${p.name}`} error={error} value={reason} onChange={setReason} />
      <div className="actions">
        <button type="button" disabled={st.isLoading} onClick={() => run('validate')}>Validate</button>
        <button type="button" disabled={st.isLoading} onClick={() => run('request-changes')}>Request changes</button>
        <button type="button" className="danger" disabled={st.isLoading} onClick={() => run('reject')}>Reject</button>
      </div>
      <div aria-live="polite">
        {formLevelError(error, ['reason']) ? <p className="form-error" role="alert">{formLevelError(error, ['reason'])}</p> : null}
        {done ? <p className="success" role="status">{done}</p> : null}
      </div>
    </li>
  );
}

function IssuanceRow({ i, onDone }: { i: Issuance; onDone: (msg: string) => void }) {
  const [reason, setReason] = useState('');
  const [act, st] = useIssuanceActionMutation();
  const [error, setError] = useState<FormError | null>(null);
  const [done, setDone] = useState('');
  async function run(action: 'approve' | 'reject') {
    setError(null);
    try {
      const r = await act({ id: i.id, action, reason: action === 'reject' ? reason : undefined }).unwrap();
      const msg = r.status === 'issued' ? 'Approved: credits issued.' : r.status === 'rejected' ? 'Rejected.' : `Approved (${r.approvals.length} of ${r.required_approvals}).`;
      setDone(msg);
      onDone(`Issuance #${i.id}: ${msg}`);
    } catch (e) { setError(toFormError(e)); }
  }
  return (
    <li className="card" aria-label={`Issuance ${i.id}`}>
      <h3>Issuance #{i.id}: <Link to={`/projects/${i.project}`}>{i.project_name}</Link></h3>
      <p>Vintage {i.vintage} · {formatPeriod(i.period_start, i.period_end)} · <strong>{formatTonnes(i.quantity)}</strong> · report {i.report} · approvals {i.approvals.length} of {i.required_approvals}</p>
      <ReportDocument report={i.report} />
      <ReasonBox label={`Reason for issuance ${i.id} (needed to reject)`} error={error} value={reason} onChange={setReason} />
      <div className="actions">
        <button type="button" disabled={st.isLoading} onClick={() => run('approve')}>Approve</button>
        <button type="button" className="danger" disabled={st.isLoading} onClick={() => run('reject')}>Reject</button>
      </div>
      <div aria-live="polite">
        {formLevelError(error, ['reason']) ? <p className="form-error" role="alert">{formLevelError(error, ['reason'])}</p> : null}
        {done ? <p className="success" role="status">{done}</p> : null}
      </div>
    </li>
  );
}

function Queues() {
  const [pp, setPp] = useState(1);
  const [ip, setIp] = useState(1);
  const projects = useProjectsQuery({ status: 'submitted', page: pp, page_size: 10 });
  const issuances = useIssuancesQuery({ status: 'pending', page: ip, page_size: 10 });
  const [notice, setNotice] = useState('');
  return (
    <>
      <h1>Verifier queue</h1>
      <p role="status" aria-live="polite" className="success" data-testid="queue-notice">{notice}</p>
      <section aria-labelledby="h-pq">
        <h2 id="h-pq">Projects awaiting validation</h2>
        <QueryState isLoading={projects.isLoading} error={projects.error} />
        {projects.data ? (
          <>
            <ul className="cards">{projects.data.items.map((p) => <ProjectRow key={p.id} p={p} onDone={setNotice} />)}</ul>
            {projects.data.items.length === 0 ? <p>Nothing to validate.</p> : null}
            <Pager label="Project queue" page={pp} pageSize={projects.data.page_size} total={projects.data.total} onPage={setPp} />
          </>
        ) : null}
      </section>
      <section aria-labelledby="h-iq">
        <h2 id="h-iq">Issuances awaiting approval</h2>
        <QueryState isLoading={issuances.isLoading} error={issuances.error} />
        {issuances.data ? (
          <>
            <ul className="cards">{issuances.data.items.map((i) => <IssuanceRow key={i.id} i={i} onDone={setNotice} />)}</ul>
            {issuances.data.items.length === 0 ? <p>Nothing to approve.</p> : null}
            <Pager label="Issuance queue" page={ip} pageSize={issuances.data.page_size} total={issuances.data.total} onPage={setIp} />
          </>
        ) : null}
      </section>
      <ChainApprovals />
    </>
  );
}

export default function VerifierPage() {
  return <RequireRole roles={['verifier']} title="Verifier queue"><Queues /></RequireRole>;
}
