// Admin: users (search, paged) with role editing; credit classes with creation; market
// halt/resume per instrument; the queue of pending withdrawals (approve with a current code, reject with a reason).
// Auditors see the same lists read-only (the server enforces it either way).
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { RequireRole } from '../components/common/RequireRole';
import { RolesEditor } from '../components/admin/RolesEditor';
import { CreditClasses } from '../components/admin/CreditClasses';
import { MarketHalts } from '../components/admin/MarketHalts';
import { Fees } from '../components/admin/Fees';
import { WithdrawalQueue } from '../components/common/Withdrawals';
import { Pager } from '../components/common/Pager';
import { QueryState } from '../components/common/Loading';
import { useUsersQuery } from '../services/api';
import { useAppSelector } from '../store/hooks';
import { hasRole } from '../store/authSlice';

function Users({ canEdit }: { canEdit: boolean }) {
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const users = useUsersQuery({ q, page, page_size: 20 });
  function search(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setQ(String(new FormData(e.currentTarget).get('q') ?? ''));
    setPage(1);
  }
  return (
    <>
      <form role="search" aria-label="Search users" className="filters" onSubmit={search}>
        <div className="field"><label htmlFor="u-q">Email or name</label><input id="u-q" name="q" /></div>
        <button type="submit">Search</button>
      </form>
      <QueryState isLoading={users.isLoading} error={users.error} />
      {users.data ? (
        <>
          <div className="table-wrap">
            <table>
              <caption>Users</caption>
              <thead><tr><th scope="col">User</th><th scope="col">Account</th><th scope="col">Roles</th></tr></thead>
              <tbody>
                {users.data.items.map((u) => (
                  <tr key={u.id}>
                    <td>{u.email}<br /><small>{u.display_name} · id {u.id}</small></td>
                    <td>{u.account}</td>
                    <td>{canEdit ? <RolesEditor user={u} /> : u.roles.join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager label="Users" page={page} pageSize={users.data.page_size} total={users.data.total} onPage={setPage} />
        </>
      ) : null}
    </>
  );
}

export default function AdminPage() {
  const user = useAppSelector((s) => s.auth.user);
  const canEdit = hasRole(user, 'admin');
  return (
    <RequireRole roles={['admin', 'auditor']} title="Administration">
      <h1>Administration</h1>
      <section aria-labelledby="h-wq"><h2 id="h-wq">Withdrawals waiting for approval</h2><WithdrawalQueue canDecide={canEdit} /></section>
      <section aria-labelledby="h-users"><h2 id="h-users">Users and roles</h2><Users canEdit={canEdit} /></section>
      <section aria-labelledby="h-cc"><h2 id="h-cc">Credit classes</h2><CreditClasses canEdit={canEdit} /></section>
      <section aria-labelledby="h-halts"><h2 id="h-halts">Markets</h2><MarketHalts canEdit={canEdit} /></section>
      <section aria-labelledby="h-fees"><h2 id="h-fees">Fees</h2><Fees canEdit={canEdit} /></section>
      <p>Price bands and volatility halts act automatically (README "The exchange"); identity checks are reviewed on the <Link to="/kyc">KYC page</Link>.</p>
    </RequireRole>
  );
}
