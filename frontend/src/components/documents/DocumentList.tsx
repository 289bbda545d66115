// Stored documents by CID: media type, size, privacy, then preview (inline for images, PDF
// and text) and download. Private documents are fetched with the user's token; end-to-end
// papers are ciphertext here (reviewers open them on the KYC page).
import { useState } from 'react';
import { useDocumentQuery } from '../../services/documents.api';
import { useTransfer } from '../../services/transfer';
import { toFormError } from '../../utils/problem';
import { BytesPreview, previewKind, saveBytes } from './Preview';
import './documents.css';

export function isCid(s: string): boolean { return /^baf[a-z2-7]{50,}$/.test(s); }

function sizeText(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

export function DocumentItem({ cid, label }: { cid: string; label?: string }) {
  const q = useDocumentQuery(cid);
  const { download } = useTransfer();
  const [shown, setShown] = useState<{ bytes: Uint8Array<ArrayBuffer>; type: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState('');
  const d = q.data;
  const name = label ?? `${cid.slice(0, 12)}…${cid.slice(-6)}`;

  async function fetchIt(): Promise<{ bytes: Uint8Array<ArrayBuffer>; type: string } | null> {
    setBusy(true);
    setErr('');
    try { return await download(cid); } catch (e) { setErr(e instanceof Error ? e.message : String(e)); return null; } finally { setBusy(false); }
  }

  return (
    <li className="doc-item">
      <span className="doc-name" title={cid}>{name}</span>{' '}
      {q.error ? <span className="form-error">{toFormError(q.error).message}</span> : null}
      {d ? (
        <>
          <span className="doc-meta">{d.end_to_end ? 'end-to-end encrypted' : d.media_type} · {sizeText(d.size)}{d.private ? ' · private' : ''}</span>{' '}
          {!d.end_to_end && previewKind(d.media_type) ? (
            <button type="button" disabled={busy} aria-expanded={!!shown} onClick={async () => { if (shown) setShown(null); else setShown(await fetchIt()); }}>
              {shown ? 'Hide preview' : 'Preview'}
            </button>
          ) : null}{' '}
          <button type="button" disabled={busy} onClick={async () => { const r = await fetchIt(); if (r) saveBytes(r.bytes, r.type, d.end_to_end ? `${cid}.bin` : cid); }}>Download</button>{' '}
          {!d.private && !d.end_to_end ? <a href={`/ipfs/${cid}.car`}>CAR</a> : null}
        </>
      ) : null}
      {err ? <span className="form-error" role="alert"> {err}</span> : null}
      {shown && d ? <BytesPreview bytes={shown.bytes} type={shown.type} name={name} /> : null}
    </li>
  );
}

export function DocumentList({ cids, empty = 'No documents yet.', label }: { cids: string[]; empty?: string; label: string }) {
  if (cids.length === 0) return <p>{empty}</p>;
  return <ul className="doc-list" aria-label={label}>{cids.map((c) => (isCid(c) ? <DocumentItem key={c} cid={c} /> : <li key={c}>{c}</li>))}</ul>;
}
