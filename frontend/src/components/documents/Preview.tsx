// Inline preview of bytes already in the browser (a document or a decrypted paper): images,
// PDF and text inline; anything else only as a download. Shows the SHA-256 of the bytes so a
// reviewer can compare it with what the uploader reports.
import { useEffect, useMemo, useState } from 'react';

export function previewKind(type: string): 'image' | 'pdf' | 'text' | null {
  const t = type.split(';')[0].trim().toLowerCase();
  if (/^image\/(png|jpeg|gif|webp|avif)$/.test(t)) return 'image';  // no SVG: it can carry script
  if (t === 'application/pdf') return 'pdf';
  if (t.startsWith('text/') || t === 'application/json') return 'text';
  return null;
}

export function saveBytes(bytes: Uint8Array<ArrayBuffer>, type: string, name: string) {
  const url = URL.createObjectURL(new Blob([bytes], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const h = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(h, (b) => b.toString(16).padStart(2, '0')).join('');
}

export function BytesPreview({ bytes, type, name }: { bytes: Uint8Array<ArrayBuffer>; type: string; name: string }) {
  const kind = previewKind(type);
  const [hash, setHash] = useState('');
  const url = useMemo(() => (kind === 'image' || kind === 'pdf' ? URL.createObjectURL(new Blob([bytes], { type })) : ''), [bytes, type, kind]);
  useEffect(() => () => { if (url) URL.revokeObjectURL(url); }, [url]);
  useEffect(() => { sha256Hex(bytes).then(setHash, () => setHash('')); }, [bytes]);
  const text = useMemo(() => (kind === 'text' ? new TextDecoder().decode(bytes.subarray(0, 200_000)) : ''), [bytes, kind]);
  return (
    <figure className="doc-preview">
      {kind === 'image' ? <img src={url} alt={`Preview of ${name}`} /> : null}
      {kind === 'pdf' ? <iframe src={url} title={`Preview of ${name}`} /> : null}
      {kind === 'text' ? <pre className="doc-text" tabIndex={0} aria-label={`Text of ${name}`}>{text}</pre> : null}
      {kind === null ? <p>No inline preview for {type}.</p> : null}
      <figcaption>
        {name} · {bytes.length.toLocaleString()} bytes · SHA-256 <code className="doc-sha256">{hash}</code>{' '}
        <button type="button" onClick={() => saveBytes(bytes, type, name)}>Save</button>
      </figcaption>
    </figure>
  );
}
