// Project page: facts, issuances and batches, and the project's risk score with its factors;
// the owner can submit a draft from here.
import { Link, useParams } from 'react-router-dom';
import { useProjectActionMutation, useProjectQuery } from '../services/api';
import { QueryState, StatusBadge } from '../components/common/Loading';
import { BatchTable, IssuanceTable } from '../components/common/RegistryTables';
import { useAppSelector } from '../store/hooks';
import { formatPeriod, formatTonnes } from '../utils/format';
import { toFormError } from '../utils/problem';
import { ProjectRisk } from '../components/analytics/ProjectRisk';
import { ProjectDocuments } from '../components/documents/ProjectDocuments';

export default function ProjectPage() {
  const id = Number(useParams().id);
  const q = useProjectQuery(id, { skip: !Number.isInteger(id) || id <= 0 });
  const user = useAppSelector((s) => s.auth.user);
  const [act, st] = useProjectActionMutation();
  if (!Number.isInteger(id) || id <= 0) return <><h1>Project</h1><p role="alert">Not a project id.</p></>;
  const p = q.data;
  return (
    <article>
      <QueryState isLoading={q.isLoading} error={q.error} />
      {p ? (
        <>
          <h1>{p.name}</h1>
          <p><StatusBadge status={p.status} /> {p.status_reason ? <span>Reason: {p.status_reason}</span> : null}</p>
          {p.description ? <p>{p.description}</p> : null}
          <dl className="facts">
            <dt>Developer</dt><dd>{p.developer_name || `user ${p.developer}`}</dd>
            <dt>Country</dt><dd>{p.country}{p.subdivision ? `, ${p.subdivision}` : ''}</dd>
            <dt>Methodology</dt><dd>{p.methodology}</dd>
            <dt>Sector</dt><dd>{p.sector || '—'}</dd>
            <dt>Type</dt><dd>{p.mitigation}, {p.nature.replace('_', ' ')}</dd>
            <dt>Registry of origin</dt><dd>{p.origin_registry} {p.origin_id}</dd>
            <dt>Crediting period</dt><dd>{formatPeriod(p.crediting_start, p.crediting_end)}</dd>
            <dt>CORSIA</dt><dd>{p.corsia}</dd>
            <dt>Issued</dt><dd>{formatTonnes(p.issued)}</dd>
            <dt>Retired</dt><dd>{formatTonnes(p.retired)}</dd>
          </dl>
          {user && user.id === p.developer && (p.status === 'draft' || p.status === 'changes_requested') ? (
            <p>
              <button type="button" disabled={st.isLoading} onClick={() => act({ id, action: 'submit' })}>Submit for validation</button>
              {st.error ? <span className="form-error" role="alert"> {toFormError(st.error).message}</span> : null}
            </p>
          ) : null}
          <h2>Issuances</h2>
          <IssuanceTable items={p.issuances} caption={`Issuances of ${p.name}`} />
          <h2>Credit batches</h2>
          <BatchTable items={p.batches} caption={`Credit batches of ${p.name}`} />
          <ProjectDocuments project={p} />
          <section aria-labelledby="h-risk">
            <h2 id="h-risk">Risk</h2>
            <ProjectRisk id={id} />
            <p><Link to={`/analytics?project=${id}`}>Risk and market analytics</Link></p>
          </section>
        </>
      ) : null}
    </article>
  );
}
