// KYC: a user asks for a verification level with their details and papers (encrypted in this
// browser to every compliance reviewer's key, so the server holds only ciphertext); admins
// review the queue, open the papers in their own browser and approve or reject with a reason.
// API: contracts §2 (/kyc/me, /kyc/cases, /kyc/cases/{id}/decision) and §3 (reviewer keys).
import { useState, type FormEvent } from 'react';
import { useAppSelector } from '../store/hooks';
import { hasRole } from '../store/authSlice';
import { useDecideKycCaseMutation, useKycCasesQuery, useKycMeQuery, useSubmitKycCaseMutation, type KycCase } from '../services/documents.api';
import { EncryptedPaper, EncryptedProgress, ReviewerKeySetup, useEncryptedUpload, useLocalKey, type PaperProgress } from '../components/documents/KycPapers';
import { QueryState, StatusBadge } from '../components/common/Loading';
import { Pager } from '../components/common/Pager';
import { toFormError } from '../utils/problem';
import { formatTs } from '../utils/format';

// Case times: microseconds like the rest of the registry (seconds accepted too).
function ts(t: number | null | undefined): string { return t ? formatTs(t > 1e14 ? t : t * 1_000_000) : '—'; }

function ApplyForm() {
  const [submit] = useSubmitKycCaseMutation();
  const encryptAndUpload = useEncryptedUpload();
  const [f, setF] = useState({ requested_level: 'basic' as 'basic' | 'full', legal_name: '', date_of_birth: '', country: '', address: '' });
  const [files, setFiles] = useState<File[]>([]);
  // Papers already encrypted and stored for the chosen files (kept if the request itself is
  // refused, e.g. a bad field, so fixing it does not upload them again).
  const [uploaded, setUploaded] = useState<{ files: File[]; cids: string[] } | null>(null);
  const [progress, setProgress] = useState<PaperProgress | null>(null);
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState('');
  const [done, setDone] = useState('');
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setErr('');
    setDone('');
    if (files.length === 0) { setErr('Add at least one identity paper.'); return; }
    setBusy(true);
    try {
      let documents = uploaded && uploaded.files === files ? uploaded.cids : null;
      if (!documents) {
        documents = await encryptAndUpload(files, setProgress);
        setUploaded({ files, cids: documents });
      }
      const c = await submit({ ...f, country: f.country.toUpperCase(), documents }).unwrap();
      setDone(`Request #${c.id} submitted with ${documents.length} encrypted paper(s).`);
    } catch (x) {
      setErr(x instanceof Error ? x.message : toFormError(x).message);
    } finally {
      setBusy(false);
      setProgress(null);
    }
  }

  return (
    <form onSubmit={onSubmit} className="kyc-form" aria-labelledby="h-apply">
      <h2 id="h-apply">Request verification</h2>
      <p>Your papers are encrypted in this browser for the compliance reviewers before upload; the server stores only ciphertext.</p>
      <label htmlFor="kyc-level">Level</label>
      <select id="kyc-level" value={f.requested_level} onChange={set('requested_level')}>
        <option value="basic">basic</option><option value="full">full</option>
      </select>
      <label htmlFor="kyc-name">Legal name</label><input id="kyc-name" required autoComplete="name" value={f.legal_name} onChange={set('legal_name')} />
      <label htmlFor="kyc-dob">Date of birth</label><input id="kyc-dob" type="date" required value={f.date_of_birth} onChange={set('date_of_birth')} />
      <label htmlFor="kyc-country">Country (ISO code, e.g. DE)</label><input id="kyc-country" required maxLength={2} pattern="[A-Za-z]{2}" autoComplete="country" value={f.country} onChange={set('country')} />
      <label htmlFor="kyc-addr">Address</label><input id="kyc-addr" required autoComplete="street-address" value={f.address} onChange={set('address')} />
      <label htmlFor="kyc-files">Identity papers (passport, proof of address)</label>
      <input id="kyc-files" type="file" multiple onChange={(e) => setFiles(Array.from(e.target.files ?? []))} />
      <p><button type="submit" disabled={busy}>{busy ? 'Encrypting and sending…' : 'Encrypt papers and submit'}</button></p>
      <EncryptedProgress p={progress} />
      {uploaded ? (
        <div className="kyc-uploaded"><p>Encrypted papers stored:</p><ul aria-label="Encrypted papers stored">{uploaded.cids.map((c) => <li key={c}><code>{c}</code></li>)}</ul></div>
      ) : null}
      {err ? <p className="form-error" role="alert">{err}</p> : null}
      {done ? <p role="status" className="kyc-done">{done}</p> : null}
    </form>
  );
}

function MyKyc() {
  const me = useKycMeQuery();
  const c = me.data?.case;
  return (
    <section aria-labelledby="h-mykyc">
      <h2 id="h-mykyc">Your verification</h2>
      <QueryState isLoading={me.isLoading} error={me.error} />
      {me.data ? <p>Level: <StatusBadge status={me.data.level} /></p> : null}
      {c ? (
        <div className="kyc-mine">
          <p>Request #{c.id} ({c.requested_level}): <StatusBadge status={c.status} />{c.reason ? <> — {c.reason}</> : null}</p>
          {c.documents.length ? <ul aria-label={`Papers of request ${c.id}`}>{c.documents.map((d) => <li key={d}><code>{d}</code> (encrypted for the reviewers)</li>)}</ul> : null}
        </div>
      ) : null}
      {me.data?.level === 'full' ? <p>You are verified at the highest level.</p> : null}
      {!me.isLoading && c?.status !== 'pending' && me.data?.level !== 'full' ? <ApplyForm /> : null}
    </section>
  );
}

function CaseCard({ c, canDecide, localKey }: { c: KycCase; canDecide: boolean; localKey: ReturnType<typeof useLocalKey>['key'] }) {
  const [decide, st] = useDecideKycCaseMutation();
  const [reason, setReason] = useState('');
  const [level, setLevel] = useState<'basic' | 'full'>(c.requested_level);
  const [override, setOverride] = useState(false);
  const rid = `kyc-reason-${c.id}`;
  const hit = !!c.screening?.hit;
  async function run(decision: 'approve' | 'reject') {
    const o = decision === 'approve' && hit ? { override } : {};
    await decide({ id: c.id, decision, level: decision === 'approve' ? level : undefined, reason, ...o }).unwrap().catch(() => undefined);
  }
  return (
    <article className="kyc-case" aria-labelledby={`h-case-${c.id}`}>
      <h3 id={`h-case-${c.id}`}>Case #{c.id}: user {c.user}, {c.requested_level} <StatusBadge status={c.status} /></h3>
      <dl className="facts">
        <dt>Legal name</dt><dd>{c.legal_name ?? '—'}</dd>
        <dt>Date of birth</dt><dd>{c.date_of_birth ?? '—'}</dd>
        <dt>Country</dt><dd>{c.country}</dd>
        <dt>Address</dt><dd>{c.address ?? '—'}</dd>
        <dt>Screening</dt><dd>{c.screening?.hit ? <strong>possible match: {c.screening.matches.map((m) => `${m.name} (${m.list}, ${m.score})`).join('; ')}</strong> : 'no match'}</dd>
        <dt>Submitted</dt><dd>{ts(c.created_ts)} ({c.source})</dd>
        {c.status !== 'pending' ? <><dt>Decision</dt><dd>{c.reason || '—'} ({ts(c.decided_ts)})</dd></> : null}
      </dl>
      <h4>Papers</h4>
      {c.documents.length ? <ul>{c.documents.map((cid, i) => <EncryptedPaper key={cid} cid={cid} index={i} localKey={localKey} />)}</ul> : <p>No papers.</p>}
      {canDecide && c.status === 'pending' ? (
        <div className="kyc-decide">
          <label htmlFor={`${rid}-lvl`}>Grant level</label>
          <select id={`${rid}-lvl`} value={level} onChange={(e) => setLevel(e.target.value as 'basic' | 'full')}><option value="basic">basic</option><option value="full">full</option></select>
          <label htmlFor={rid}>Reason</label>
          <input id={rid} value={reason} onChange={(e) => setReason(e.target.value)} />
          {hit ? (
            <label className="kyc-override">
              <input type="checkbox" checked={override} onChange={(e) => setOverride(e.target.checked)} />
              {' '}Approve despite the screening match (false positive; the reason says why)
            </label>
          ) : null}
          <button type="button" disabled={st.isLoading || (hit && (!override || !reason.trim()))} onClick={() => run('approve')}>Approve case {c.id}</button>{' '}
          <button type="button" disabled={st.isLoading || !reason.trim()} onClick={() => run('reject')}>Reject case {c.id}</button>
          {st.error ? <p className="form-error" role="alert">{toFormError(st.error).message}</p> : null}
        </div>
      ) : null}
    </article>
  );
}

// A paper known by its CID (from a provider, a support ticket...), opened the same way.
function OpenByCid({ localKey }: { localKey: ReturnType<typeof useLocalKey>['key'] }) {
  const [text, setText] = useState('');
  const [cid, setCid] = useState('');
  return (
    <section aria-labelledby="h-bycid">
      <h3 id="h-bycid">Open a paper by CID</h3>
      <form onSubmit={(e) => { e.preventDefault(); setCid(text.trim()); }}>
        <label htmlFor="kyc-cid">Paper CID</label>{' '}
        <input id="kyc-cid" value={text} onChange={(e) => setText(e.target.value)} pattern="baf[a-z2-7]+" required />{' '}
        <button type="submit">Open</button>
      </form>
      {cid ? <ul><EncryptedPaper key={cid} cid={cid} index={0} localKey={localKey} /></ul> : null}
    </section>
  );
}

function ReviewQueue({ canDecide }: { canDecide: boolean }) {
  const user = useAppSelector((s) => s.auth.user);
  const [status, setStatus] = useState('pending');
  const [page, setPage] = useState(1);
  const q = useKycCasesQuery({ status, page });
  const { key } = useLocalKey(user?.id);
  return (
    <section aria-labelledby="h-queue">
      <h2 id="h-queue">Review queue</h2>
      <label htmlFor="kyc-status">Show</label>{' '}
      <select id="kyc-status" value={status} onChange={(e) => { setStatus(e.target.value); setPage(1); }}>
        <option value="pending">pending</option><option value="approved">approved</option><option value="rejected">rejected</option>
      </select>
      <QueryState isLoading={q.isLoading} error={q.error} />
      {q.data && q.data.items.length === 0 ? <p>No {status} cases.</p> : null}
      {q.data?.items.map((c) => <CaseCard key={c.id} c={c} canDecide={canDecide} localKey={key} />)}
      {q.data ? <Pager page={page} pageSize={q.data.page_size} total={q.data.total} onPage={setPage} label="KYC cases" /> : null}
      {canDecide ? <OpenByCid localKey={key} /> : null}
    </section>
  );
}

export default function KycPage() {
  const user = useAppSelector((s) => s.auth.user);
  if (!user) return <><h1>Verification (KYC)</h1><p>Sign in to request verification.</p></>;
  const admin = hasRole(user, 'admin');
  return (
    <>
      <h1>Verification (KYC)</h1>
      <MyKyc />
      {admin ? <ReviewerKeySetup /> : null}
      {admin || hasRole(user, 'auditor') ? <ReviewQueue canDecide={admin} /> : null}
    </>
  );
}
