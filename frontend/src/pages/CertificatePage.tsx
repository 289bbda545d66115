// Public retirement certificate. Fetches /retirements/{id}/certificate and verifies the
// Merkle inclusion proof of its journal event in this browser (WebCrypto SHA-256), rather
// than trusting the server's own `verified` flag. Download (JSON) and print.
import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useCertificateQuery, type Certificate } from '../services/api';
import { QueryState } from '../components/common/Loading';
import { verifyInclusion, type ProofCheck } from '../utils/merkle';
import { formatPeriod, formatRanges, formatTonnes, formatTs } from '../utils/format';

function download(cert: Certificate) {
  const blob = new Blob([JSON.stringify(cert, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = `${cert.certificate}.json`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function ProofResult({ cert }: { cert: Certificate }) {
  const p = cert.proof;
  const [check, setCheck] = useState<ProofCheck | null>(null);
  useEffect(() => {
    let live = true;
    setCheck(null);
    if (p.status === 'sealed' && p.block) verifyInclusion(p.event_hash, p.proof, p.block.root).then((c) => { if (live) setCheck(c); });
    return () => { live = false; };
  }, [p]);
  if (p.status !== 'sealed' || !p.block) return <p role="status" className="busy">The journal block holding this retirement is not sealed yet; checking again shortly…</p>;
  return (
    <section aria-labelledby="h-proof" className="proof">
      <h2 id="h-proof">Proof of inclusion</h2>
      <div role="status" aria-live="polite" data-testid="proof-result">
        {check === null ? <p>Verifying…</p> : check.valid
          ? <p className="verified">✔ Verified in your browser: event {p.seq} is included in journal block {p.block.height} (root {p.block.root.slice(0, 16)}…).</p>
          : <p className="failed">✘ Proof does NOT verify{check.error ? `: ${check.error}` : ''}. Computed root {check.computedRoot.slice(0, 16)}…</p>}
      </div>
      <dl className="facts mono-dd">
        <dt>Event</dt><dd>#{p.seq} {p.type} at {formatTs(p.ts)}</dd>
        <dt>Event hash</dt><dd>{p.event_hash}</dd>
        <dt>Block</dt><dd>height {p.block.height}, events {p.block.first_seq}–{p.block.last_seq}, sealed {formatTs(p.block.sealed_ts)}</dd>
        <dt>Block root</dt><dd>{p.block.root}</dd>
        <dt>Header hash</dt><dd>{p.block.header_hash}</dd>
        <dt>Proof</dt><dd>{p.proof.length} sibling hash{p.proof.length === 1 ? '' : 'es'}</dd>
      </dl>
      <p><small>leaf = SHA-256(0x00 ‖ event hash); node = SHA-256(0x01 ‖ min ‖ max); the folded proof must equal the block root.</small></p>
    </section>
  );
}

export default function CertificatePage() {
  const id = Number(useParams().id);
  const valid = Number.isInteger(id) && id > 0;
  const [sealed, setSealed] = useState(false);
  const q = useCertificateQuery(id, { skip: !valid, pollingInterval: sealed ? 0 : 1000 });
  useEffect(() => { if (q.data?.proof.status === 'sealed') setSealed(true); }, [q.data]);
  if (!valid) return <><h1>Certificate</h1><p role="alert">Not a certificate id.</p></>;
  const c = q.data;
  const r = c?.retirement;
  return (
    <article className="certificate">
      <QueryState isLoading={q.isLoading} error={q.error} />
      {c && r ? (
        <>
          <h1>Retirement certificate {c.certificate}</h1>
          <p className="big"><strong>{formatTonnes(r.quantity)}</strong> CO₂e retired on behalf of <strong>{r.beneficiary}</strong></p>
          <dl className="facts">
            <dt>Reason</dt><dd>{r.reason || '—'}</dd>
            <dt>Consumption country</dt><dd>{r.country || '—'}</dd>
            <dt>Consumption period</dt><dd>{formatPeriod(r.period_start, r.period_end)}</dd>
            <dt>Project</dt><dd><Link to={`/projects/${r.project}`}>{r.project_name}</Link> ({r.project_country}), {r.methodology}</dd>
            <dt>Batch</dt><dd>#{r.batch}, vintage {r.vintage}, <span className="mono">{r.batch_serial}</span></dd>
            <dt>Serials retired</dt><dd className="mono">{formatRanges(r.serials).join('; ')}</dd>
            <dt>Retired at</dt><dd>{formatTs(r.ts)}</dd>
          </dl>
          <ProofResult cert={c} />
          <p className="no-print actions">
            <button type="button" onClick={() => download(c)}>Download JSON</button>
            <button type="button" onClick={() => window.print()}>Print</button>
          </p>
        </>
      ) : null}
    </article>
  );
}
