// File picker + upload with a progress bar (XHR upload events). `query` selects the storage
// mode (?private=true for encryption at rest). Calls onUploaded with the stored document.
import { useId, useState } from 'react';
import { useTransfer } from '../../services/transfer';
import type { DocumentInfo } from '../../services/documents.api';

export function UploadProgress({ loaded, total, label }: { loaded: number; total: number; label: string }) {
  const pct = total > 0 ? Math.round((loaded / total) * 100) : 0;
  return (
    <span className="upload-progress">
      <progress max={100} value={pct} aria-label={label} /> <span aria-live="polite">{pct} %</span>
    </span>
  );
}

export function DocumentUpload({ label, query, onUploaded, allowPrivate = false }: {
  label: string; query?: string; onUploaded: (d: DocumentInfo, file: File) => void | Promise<void>; allowPrivate?: boolean;
}) {
  const id = useId();
  const { upload } = useTransfer();
  const [file, setFile] = useState<File | null>(null);
  const [priv, setPriv] = useState(false);
  const [progress, setProgress] = useState<{ loaded: number; total: number } | null>(null);
  const [error, setError] = useState('');
  const [done, setDone] = useState('');

  async function go() {
    if (!file) return;
    setError('');
    setDone('');
    setProgress({ loaded: 0, total: file.size });
    try {
      const q = query ?? (priv ? '?private=true' : '');
      const d = await upload({ body: file, mediaType: file.type || 'application/octet-stream', query: q, onProgress: (loaded, total) => setProgress({ loaded, total }) });
      setProgress({ loaded: 1, total: 1 });
      await onUploaded(d, file);
      setDone(`Stored as ${d.cid}`);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setProgress(null);
    }
  }

  return (
    <div className="doc-upload">
      <label htmlFor={`${id}-f`}>{label}</label>{' '}
      <input id={`${id}-f`} type="file" onChange={(e) => { setFile(e.target.files?.[0] ?? null); setProgress(null); setDone(''); }} />
      {allowPrivate ? (
        <label><input type="checkbox" checked={priv} onChange={(e) => setPriv(e.target.checked)} /> private (owner, admins and auditors only; encrypted at rest)</label>
      ) : null}{' '}
      <button type="button" disabled={!file || (progress !== null && progress.loaded < progress.total)} onClick={go}>Upload</button>
      {progress ? <> <UploadProgress loaded={progress.loaded} total={progress.total} label={`Upload of ${file?.name ?? 'file'}`} /></> : null}
      {error ? <p className="form-error" role="alert">{error}</p> : null}
      {done ? <p role="status" className="doc-done">{done}</p> : null}
    </div>
  );
}
