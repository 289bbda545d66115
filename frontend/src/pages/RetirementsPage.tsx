// Public list of retirements (search by beneficiary, paged), each linking to its certificate.
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { useRetirementsQuery } from '../services/api';
import { Pager } from '../components/common/Pager';
import { QueryState } from '../components/common/Loading';
import { formatTonnes, formatTs } from '../utils/format';

export default function RetirementsPage() {
  const [beneficiary, setBeneficiary] = useState('');
  const [page, setPage] = useState(1);
  const q = useRetirementsQuery({ beneficiary, page, page_size: 20 });
  function search(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setBeneficiary(String(new FormData(e.currentTarget).get('beneficiary') ?? '').trim());
    setPage(1);
  }
  return (
    <section>
      <h1>Retirements</h1>
      <form className="filters" role="search" aria-label="Search retirements" onSubmit={search}>
        <div className="field"><label htmlFor="r-b">Beneficiary</label><input id="r-b" name="beneficiary" /></div>
        <button type="submit">Search</button>
      </form>
      <QueryState isLoading={q.isLoading} error={q.error} />
      {q.data ? (
        <>
          <div className="table-wrap">
            <table>
              <caption>Retirements</caption>
              <thead><tr><th scope="col">Certificate</th><th scope="col">Beneficiary</th><th scope="col">Project</th><th scope="col" className="num">Quantity</th><th scope="col">Retired at</th></tr></thead>
              <tbody>
                {q.data.items.map((r) => (
                  <tr key={r.id}>
                    <td><Link to={`/certificates/${r.id}`}>CX-RET-{r.id}</Link></td>
                    <td>{r.beneficiary}<br /><small>{r.reason}</small></td>
                    <td>{r.project_name}<br /><small>vintage {r.vintage} · {r.origin_registry}</small></td>
                    <td className="num">{formatTonnes(r.quantity)}</td>
                    <td>{formatTs(r.ts)}</td>
                  </tr>
                ))}
                {q.data.items.length === 0 ? <tr><td colSpan={5}>No retirement matches.</td></tr> : null}
              </tbody>
            </table>
          </div>
          <Pager label="Retirements" page={page} pageSize={q.data.page_size} total={q.data.total} onPage={setPage} />
        </>
      ) : null}
    </section>
  );
}
