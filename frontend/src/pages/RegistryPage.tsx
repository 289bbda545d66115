// Public registry: search and filter projects, paged.
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { useProjectsQuery } from '../services/api';
import { Pager } from '../components/common/Pager';
import { QueryState, StatusBadge } from '../components/common/Loading';
import { formValues } from '../components/common/useFormAction';
import { formatTonnes } from '../utils/format';

const PAGE = 20;
const STATUSES = ['', 'draft', 'submitted', 'changes_requested', 'validated', 'rejected', 'registered'];
const REGISTRIES = ['', 'carbonx', 'verra', 'gold-standard', 'acr', 'car', 'art', 'cercarbono', 'isometric'];

export function RegistryPage() {
  const [filters, setFilters] = useState<Record<string, string>>({});
  const [page, setPage] = useState(1);
  const q = useProjectsQuery({ ...filters, page, page_size: PAGE });
  function search(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setFilters(formValues(e.currentTarget));
    setPage(1);
  }
  return (
    <section>
      <h1>Registry</h1>
      <form className="filters" role="search" aria-label="Search projects" onSubmit={search}>
        <div className="field"><label htmlFor="f-q">Search</label><input id="f-q" name="q" placeholder="Name, developer or id" /></div>
        <div className="field"><label htmlFor="f-country">Country</label><input id="f-country" name="country" placeholder="e.g. BR" /></div>
        <div className="field"><label htmlFor="f-status">Status</label>
          <select id="f-status" name="status">{STATUSES.map((s) => <option key={s} value={s}>{s ? s.replace('_', ' ') : 'Any'}</option>)}</select></div>
        <div className="field"><label htmlFor="f-registry">Registry of origin</label>
          <select id="f-registry" name="registry">{REGISTRIES.map((s) => <option key={s} value={s}>{s || 'Any'}</option>)}</select></div>
        <div className="field"><label htmlFor="f-meth">Methodology</label><input id="f-meth" name="methodology" /></div>
        <button type="submit">Search</button>
      </form>
      <QueryState isLoading={q.isLoading} error={q.error} />
      {q.data ? (
        <>
          <div className="table-wrap">
            <table>
              <caption>Projects</caption>
              <thead><tr><th scope="col">Project</th><th scope="col">Country</th><th scope="col">Methodology</th><th scope="col">Status</th><th scope="col" className="num">Issued</th><th scope="col" className="num">Retired</th></tr></thead>
              <tbody>
                {q.data.items.map((p) => (
                  <tr key={p.id}>
                    <td><Link to={`/projects/${p.id}`}>{p.name}</Link><br /><small>{p.developer_name} · {p.origin_registry} {p.origin_id}</small></td>
                    <td>{p.country}</td><td>{p.methodology}</td><td><StatusBadge status={p.status} /></td>
                    <td className="num">{formatTonnes(p.issued)}</td><td className="num">{formatTonnes(p.retired)}</td>
                  </tr>
                ))}
                {q.data.items.length === 0 ? <tr><td colSpan={6}>No project matches.</td></tr> : null}
              </tbody>
            </table>
          </div>
          <Pager label="Projects" page={page} pageSize={q.data.page_size} total={q.data.total} onPage={setPage} />
        </>
      ) : null}
    </section>
  );
}
