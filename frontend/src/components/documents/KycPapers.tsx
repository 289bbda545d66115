// End-to-end encrypted KYC papers: the reviewer's key set-up (key pair made in this browser,
// private half non-extractable in IndexedDB, public half registered with the server), the
// encrypt-and-upload step for applicants, and decryption in the reviewer's browser.
import { useCallback, useEffect, useState } from 'react';
import { useAppSelector } from '../../store/hooks';
import { useLazyEnvelopeQuery, useLazyReviewerKeysQuery, useMyEncryptionKeyQuery, usePutEncryptionKeyMutation, usePutEnvelopeMutation } from '../../services/documents.api';
import { useTransfer } from '../../services/transfer';
import { decryptPaper, encryptPaper, generateReviewerKey, type PaperMeta } from '../../utils/e2eEnvelope';
import { loadKey, saveKey, type StoredKey } from '../../utils/keystore';
import { toFormError } from '../../utils/problem';
import { BytesPreview } from './Preview';
import { UploadProgress } from './DocumentUpload';
import './documents.css';

/** The signed-in reviewer's key on this device (undefined while loading, null if none). */
export function useLocalKey(user: number | undefined) {
  const [key, setKey] = useState<StoredKey | null | undefined>(undefined);
  const reload = useCallback(() => {
    if (!user) { setKey(null); return; }
    loadKey(user).then((k) => setKey(k ?? null), () => setKey(null));
  }, [user]);
  useEffect(reload, [reload]);
  return { key, reload };
}

export function ReviewerKeySetup() {
  const user = useAppSelector((s) => s.auth.user);
  const server = useMyEncryptionKeyQuery();
  const [put, putSt] = usePutEncryptionKeyMutation();
  const { key, reload } = useLocalKey(user?.id);
  const [msg, setMsg] = useState('');
  if (!user) return null;

  async function create() {
    setMsg('');
    const k = await generateReviewerKey();
    await put(k.jwk).unwrap();
    await saveKey({ user: user!.id, kid: k.kid, jwk: k.jwk, privateKey: k.privateKey, created: Date.now() });
    reload();
    setMsg('Reviewer key created in this browser and registered. New papers are wrapped to it.');
  }

  const serverKid = server.data?.kid;
  const ok = key && serverKid && key.kid === serverKid;
  return (
    <section aria-labelledby="h-rkey" className="reviewer-key">
      <h2 id="h-rkey">Your reviewer key</h2>
      {server.isLoading || key === undefined ? <p role="status">Loading…</p> : ok ? (
        <p className="key-ok">Key <code>{serverKid}</code> is registered and held by this browser (not extractable).</p>
      ) : (
        <>
          <p>
            {serverKid ? <>The registered key <code>{serverKid}</code> is not in this browser. Papers wrapped to it can only be opened where it was made. </> : 'No reviewer key yet. '}
            Create one here: its private half never leaves this browser.
          </p>
          <button type="button" disabled={putSt.isLoading} onClick={() => create().catch((e) => setMsg(toFormError(e).message || String(e)))}>
            {serverKid ? 'Replace with a key from this browser' : 'Create my reviewer key'}
          </button>
        </>
      )}
      {msg ? <p role="status">{msg}</p> : null}
    </section>
  );
}

export interface PaperProgress { file: string; loaded: number; total: number }

/** Encrypts each file to every reviewer key, uploads the ciphertext (?e2e=true) and stores its envelope. */
export function useEncryptedUpload() {
  const [keys] = useLazyReviewerKeysQuery();
  const [putEnvelope] = usePutEnvelopeMutation();
  const { upload } = useTransfer();
  return useCallback(async (files: File[], onProgress: (p: PaperProgress) => void): Promise<string[]> => {
    const reviewers = await keys().unwrap();
    const cids: string[] = [];
    for (const f of files) {
      const bytes = new Uint8Array(await f.arrayBuffer());
      const meta: PaperMeta = { name: f.name, type: f.type || 'application/octet-stream', size: f.size };
      const { ciphertext, envelope } = await encryptPaper(bytes, meta, reviewers);
      const d = await upload({ body: ciphertext, mediaType: 'application/octet-stream', query: '?e2e=true', onProgress: (loaded, total) => onProgress({ file: f.name, loaded, total }) });
      await putEnvelope({ cid: d.cid, envelope }).unwrap();
      cids.push(d.cid);
    }
    return cids;
  }, [keys, putEnvelope, upload]);
}

export function EncryptedProgress({ p }: { p: PaperProgress | null }) {
  return p ? <p>Encrypted and uploading {p.file}: <UploadProgress loaded={p.loaded} total={p.total} label={`Upload of ${p.file}`} /></p> : null;
}

/** One encrypted paper in the review queue: decrypted in this browser with the reviewer's key. */
export function EncryptedPaper({ cid, index, localKey }: { cid: string; index: number; localKey: StoredKey | null | undefined }) {
  const [getEnvelope] = useLazyEnvelopeQuery();
  const { download } = useTransfer();
  const [out, setOut] = useState<{ bytes: Uint8Array<ArrayBuffer>; meta: PaperMeta } | null>(null);
  const [err, setErr] = useState('');
  const [busy, setBusy] = useState(false);

  async function open() {
    setErr('');
    setBusy(true);
    try {
      if (!localKey) throw new Error('no reviewer key in this browser');
      const env = await getEnvelope(cid).unwrap();
      const { bytes } = await download(cid);
      const { data, meta } = await decryptPaper(bytes, env, localKey.privateKey, localKey.kid);
      setOut({ bytes: data, meta });
    } catch (e) {
      const m = e instanceof Error ? e.message : toFormError(e).message;
      setErr(m === 'The operation failed for an operation-specific reason' || m === '' ? 'decryption failed (wrong key or altered paper)' : m);
    } finally {
      setBusy(false);
    }
  }

  return (
    <li className="kyc-paper">
      Paper {index + 1} <code title={cid}>{cid.slice(0, 16)}…</code>{' '}
      {out ? null : <button type="button" disabled={busy} onClick={open}>Decrypt and view paper {index + 1}</button>}
      {err ? <span className="form-error" role="alert"> {err}</span> : null}
      {out ? <BytesPreview bytes={out.bytes} type={out.meta.type} name={out.meta.name} /> : null}
    </li>
  );
}
