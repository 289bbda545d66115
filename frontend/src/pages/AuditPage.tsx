// Security audit trail (/audit; admins and auditors): logins, failed logins, role changes,
// sessions revoked, refresh-token reuse, cash movements -- newest first, filtered by user and
// kind, paged. Users are shown by email where the user list has them.
import { useState, type FormEvent } from 'react';
import { RequireRole } from '../components/common/RequireRole';
import { Pager } from '../components/common/Pager';
import { QueryState } from '../components/common/Loading';
import { useAuditQuery, useUsersQuery } from '../services/api';
import { auditKinds } from '../components/analytics/analytics';
import { formatTs, humanStatus } from '../utils/format';
import { fieldError, toFormError } from '../utils/problem';
import { TableWrap } from '../components/trading/common';

const PAGE = 25;

function Trail() {
  const [filters, setFilters] = useState<{ user?: string; kind?: string }>({});
  const [page, setPage] = useState(1);
  const q = useAuditQuery({ ...filters, page, page_size: PAGE });
  const users = useUsersQuery({ page_size: 500 });
  const emails = new Map((users.data?.items ?? []).map((u) => [u.id, u.email]));
  const who = (id: number) => (id ? emails.get(id) ?? `user ${id}` : '—');
  const err = q.error ? toFormError(q.error) : null;
  function search(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setFilters({ user: String(f.get('user') ?? '').trim() || undefined, kind: String(f.get('kind') ?? '') || undefined });
    setPage(1);
  }
  const userErr = fieldError(err, 'user');
  return (
    <>
      <form role="search" aria-label="Filter the audit trail" className="filters" onSubmit={search}>
        <div className={`field${userErr ? ' has-error' : ''}`}><label htmlFor="au-user">User</label>
          <select id="au-user" name="user" defaultValue="">
            <option value="">Any</option>
            {(users.data?.items ?? []).map((u) => <option key={u.id} value={u.id}>{u.email} (id {u.id})</option>)}
          </select>
          {userErr ? <span className="field-error" role="alert">{userErr}</span> : null}</div>
        <div className="field"><label htmlFor="au-kind">Kind</label>
          <select id="au-kind" name="kind" defaultValue="">
            <option value="">Any</option>
            {auditKinds.map((k) => <option key={k} value={k}>{humanStatus(k)}</option>)}
          </select></div>
        <button type="submit">Filter</button>
      </form>
      <QueryState isLoading={q.isLoading} error={userErr ? undefined : q.error} />
      {q.data ? (
        <>
          <TableWrap label="Audit trail table">
            <table>
              <caption>Audit trail, newest first</caption>
              <thead><tr><th scope="col">Time</th><th scope="col">Kind</th><th scope="col">User</th><th scope="col">By</th><th scope="col">Detail</th><th scope="col">IP</th><th scope="col" className="num">Journal seq</th></tr></thead>
              <tbody>
                {q.data.items.map((a) => (
                  <tr key={`${a.seq}-${a.kind}-${a.user}`}>
                    <td>{formatTs(a.ts_us)}</td><td>{humanStatus(a.kind)}</td><td>{who(a.user)}</td>
                    <td>{a.actor ? who(a.actor) : 'self'}</td><td>{a.detail}</td><td>{a.ip || '—'}</td><td className="num">{a.seq}</td>
                  </tr>
                ))}
                {q.data.items.length === 0 ? <tr><td colSpan={7}>No entry matches.</td></tr> : null}
              </tbody>
            </table>
          </TableWrap>
          <Pager label="Audit trail" page={page} pageSize={q.data.page_size} total={q.data.total} onPage={setPage} />
        </>
      ) : null}
    </>
  );
}

export default function AuditPage() {
  return (
    <RequireRole roles={['admin', 'auditor']} title="Audit trail">
      <h1>Audit trail</h1>
      <p className="hint">Security events from the journal (each row names the journal sequence that holds it).</p>
      <Trail />
    </RequireRole>
  );
}
