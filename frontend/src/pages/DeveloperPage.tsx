// Project developer area: register a project, submit it, request issuance, transfer credits,
// auction a batch (primary issuance auction) and follow the running auctions.
import { useState } from 'react';
import { Link } from 'react-router-dom';
import {
  useCreateProjectMutation, useCreditClassesQuery, useHoldingsQuery, useProjectActionMutation, useProjectsQuery, useRequestIssuanceMutation,
} from '../services/api';
import { Field } from '../components/common/Field';
import { FormStatus } from '../components/common/FormStatus';
import { Pager } from '../components/common/Pager';
import { QueryState, StatusBadge } from '../components/common/Loading';
import { TransferForm } from '../components/common/TransferForm';
import { clientError, useFormAction } from '../components/common/useFormAction';
import { RequireRole } from '../components/common/RequireRole';
import { AuctionForm, AuctionsList } from '../components/trading/Auctions';
import { useAppSelector } from '../store/hooks';
import { formatTonnes, parseTonnes } from '../utils/format';
import { toFormError } from '../utils/problem';
import { ReportUpload } from '../components/documents/ProjectDocuments';

const PROJECT_FIELDS = ['name', 'country', 'subdivision', 'methodology', 'mitigation', 'nature', 'credit_class', 'sector', 'description'];
const ISSUANCE_FIELDS = ['project', 'vintage', 'period_start', 'period_end', 'quantity', 'report', 'verification_body'];

function RegisterProject() {
  const classes = useCreditClassesQuery();
  const [create] = useCreateProjectMutation();
  const f = useFormAction(async (v, form) => {
    const body: Record<string, unknown> = { ...v, credit_class: Number(v.credit_class) };
    for (const k of Object.keys(body)) if (body[k] === '') delete body[k];
    const p = await create(body).unwrap();
    form.reset();
    return p;
  });
  return (
    <form onSubmit={f.onSubmit} noValidate aria-label="Register a project">
      <Field label="Project name" name="name" required error={f.error} />
      <Field label="Country (ISO code)" name="country" required error={f.error} placeholder="ID" />
      <Field label="Subdivision" name="subdivision" error={f.error} />
      <Field label="Methodology" name="methodology" required error={f.error} placeholder="VM0033" />
      <Field label="Sector" name="sector" error={f.error} />
      <Field label="Mitigation" name="mitigation" error={f.error} options={[{ value: 'removal', label: 'Removal' }, { value: 'reduction', label: 'Reduction' }]} />
      <Field label="Nature" name="nature" error={f.error} options={[{ value: 'nature_based', label: 'Nature-based' }, { value: 'technical', label: 'Technical' }]} />
      <Field label="Credit class" name="credit_class" error={f.error}
        options={(classes.data?.items ?? []).map((c) => ({ value: String(c.id), label: `${c.code}: ${c.name} (${c.required_approvals} approval${c.required_approvals === 1 ? '' : 's'})` }))} />
      <Field label="Description" name="description" multiline error={f.error} />
      <FormStatus error={f.error} fields={PROJECT_FIELDS} busy={f.busy}
        success={f.result ? <p>Registered <Link to={`/projects/${f.result.id}`}>{f.result.name}</Link> as a draft.</p> : null} />
      <button type="submit" disabled={f.busy}>Register project</button>
    </form>
  );
}

function MyProjects({ developer }: { developer: number }) {
  const [page, setPage] = useState(1);
  const q = useProjectsQuery({ developer, page, page_size: 10 });
  const [act, st] = useProjectActionMutation();
  return (
    <>
      <QueryState isLoading={q.isLoading} error={q.error} />
      {st.error ? <p className="form-error" role="alert">{toFormError(st.error).message}</p> : null}
      {q.data ? (
        <>
          <div className="table-wrap">
            <table>
              <caption>My projects</caption>
              <thead><tr><th scope="col">Project</th><th scope="col">Status</th><th scope="col" className="num">Issued</th><th scope="col">Action</th></tr></thead>
              <tbody>
                {q.data.items.map((p) => (
                  <tr key={p.id}>
                    <td><Link to={`/projects/${p.id}`}>{p.name}</Link></td>
                    <td><StatusBadge status={p.status} />{p.status_reason ? <><br /><small>Reason: {p.status_reason}</small></> : null}</td>
                    <td className="num">{formatTonnes(p.issued)}</td>
                    <td>{p.status === 'draft' || p.status === 'changes_requested'
                      ? <button type="button" disabled={st.isLoading} onClick={() => act({ id: p.id, action: 'submit' })} aria-label={`Submit ${p.name}`}>Submit</button>
                      : null}</td>
                  </tr>
                ))}
                {q.data.items.length === 0 ? <tr><td colSpan={4}>No project yet.</td></tr> : null}
              </tbody>
            </table>
          </div>
          <Pager label="My projects" page={page} pageSize={q.data.page_size} total={q.data.total} onPage={setPage} />
        </>
      ) : null}
    </>
  );
}

function RequestIssuance({ developer }: { developer: number }) {
  const q = useProjectsQuery({ developer, status: 'validated', page_size: 500 });
  const [request] = useRequestIssuanceMutation();
  const f = useFormAction(async (v, form) => {
    if (!/^\d{4}$/.test(v.vintage)) throw clientError('vintage', 'Enter the vintage year, e.g. 2025');
    const qty = parseTonnes(v.quantity);
    if (!qty.ok) throw clientError('quantity', qty.message);
    const body: Record<string, unknown> = { ...v, project: Number(v.project), vintage: Number(v.vintage), quantity: v.quantity.replace(/,/g, '') };
    if (!v.verification_body) delete body.verification_body;
    const r = await request(body).unwrap();
    form.reset();
    return r;
  });
  const projects = q.data?.items ?? [];
  if (q.data && projects.length === 0) return <p>No validated project yet: a verifier must validate a project before it can be issued credits.</p>;
  return (
    <form onSubmit={f.onSubmit} noValidate aria-label="Request issuance">
      <Field label="Project" name="project" error={f.error} options={projects.map((p) => ({ value: String(p.id), label: p.name }))} />
      <Field label="Vintage" name="vintage" required error={f.error} inputMode="numeric" placeholder="2025" />
      <Field label="Monitoring period start" name="period_start" type="date" required error={f.error} />
      <Field label="Monitoring period end" name="period_end" type="date" required error={f.error} />
      <Field label="Quantity (tonnes)" name="quantity" required error={f.error} inputMode="decimal" placeholder="1000.500" />
      <ReportUpload />
      <Field label="Verification report (CID or reference)" name="report" required error={f.error} />
      <Field label="Verification body" name="verification_body" error={f.error} />
      <FormStatus error={f.error} fields={ISSUANCE_FIELDS} busy={f.busy}
        success={f.result ? <p>Issuance #{f.result.id} requested ({formatTonnes(f.result.quantity)}); it needs {f.result.required_approvals} verifier approval(s).</p> : null} />
      <button type="submit" disabled={f.busy}>Request issuance</button>
    </form>
  );
}

function Transfer({ account }: { account: number }) {
  const h = useHoldingsQuery(account);
  return <><QueryState isLoading={h.isLoading} error={h.error} />{h.data ? <TransferForm holdings={h.data.items.filter((x) => x.tradable_kg > 0)} /> : null}</>;
}

export default function DeveloperPage() {
  const user = useAppSelector((s) => s.auth.user);
  return (
    <RequireRole roles={['project_developer']} title="Developer area">
      {user ? (
        <>
          <h1>Developer area</h1>
          <div className="grid">
            <section aria-labelledby="h-reg"><h2 id="h-reg">Register a project</h2><RegisterProject /></section>
            <section aria-labelledby="h-mine"><h2 id="h-mine">My projects</h2><MyProjects developer={user.id} /></section>
            <section aria-labelledby="h-iss"><h2 id="h-iss">Request issuance</h2><RequestIssuance developer={user.id} /></section>
            <section aria-labelledby="h-tr"><h2 id="h-tr">Transfer credits</h2><Transfer account={user.account} /></section>
            <section aria-labelledby="h-auc"><h2 id="h-auc">Auction a batch</h2><AuctionForm account={user.account} /></section>
            <section aria-labelledby="h-aucs"><h2 id="h-aucs">Auctions running</h2><AuctionsList /></section>
          </div>
        </>
      ) : null}
    </RequireRole>
  );
}
