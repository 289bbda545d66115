// Project risk: the 0-100 score with its band and every factor's points out of its maximum,
// largest first, with the reason the server gives. Used on the analytics page and the
// project page.
import { useProjectRiskQuery } from '../../services/api';
import { MlState } from './MlState';
import { factorRows, formatPoints } from './analytics';
import { TableWrap } from '../trading/common';

export function ProjectRisk({ id }: { id: number }) {
  const q = useProjectRiskQuery(id, { skip: !Number.isInteger(id) || id <= 0 });
  const r = q.data;
  return (
    <>
      <MlState isLoading={q.isLoading} error={q.error} what="risk score" />
      {r ? (
        <div className="risk" data-testid="project-risk">
          <p className="risk-score">
            <span className="big">Risk score <strong data-testid="risk-score">{formatPoints(r.score)}</strong> / 100</span>{' '}
            <span className={`badge band-${r.band}`}>{r.band}</span>
          </p>
          <TableWrap label="Risk factors table">
            <table>
              <caption>Risk factors of {r.project.name} (points add up to the score)</caption>
              <thead><tr><th scope="col">Factor</th><th scope="col" className="num">Points</th><th scope="col">Share of its maximum</th><th scope="col">Why</th></tr></thead>
              <tbody>
                {factorRows(r.factors).map((f) => (
                  <tr key={f.name}>
                    <th scope="row">{f.label}</th>
                    <td className="num">{f.points} / {f.max}</td>
                    <td><span className="factor-bar" aria-hidden="true"><span style={{ width: `${Math.round(f.share * 100)}%` }} /></span>
                      <span className="sr-only">{Math.round(f.share * 100)} %</span></td>
                    <td>{f.detail}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          {r.notes?.length ? <ul className="hint">{r.notes.map((n) => <li key={n}>{n}</li>)}</ul> : null}
        </div>
      ) : null}
    </>
  );
}
