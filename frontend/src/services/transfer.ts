// Binary transfers that RTK Query does not do well: document uploads with progress
// (XMLHttpRequest upload events) and authenticated downloads of bytes (/ipfs/{cid}).
// useTransfer() adds the bearer token and, on a 401, lets the shared API rotate the
// session (a forced /me refetch goes through reauth.ts) and retries once.
import { useCallback } from 'react';
import { useStore } from 'react-redux';
import { api } from './api';
import type { AuthState } from '../store/authSlice';
import type { DocumentInfo } from './documents.api';
import type { AppDispatch } from '../store';

export class TransferError extends Error {
  constructor(message: string, public status: number, public code?: string) { super(message); }
}

function problemOf(status: number, text: string): TransferError {
  try {
    const p = JSON.parse(text) as { detail?: string; title?: string; code?: string };
    return new TransferError(p.detail || p.title || `HTTP ${status}`, status, p.code);
  } catch {
    return new TransferError(status === 0 ? 'network error' : `HTTP ${status}`, status);
  }
}

export interface UploadArgs {
  body: Blob | Uint8Array<ArrayBuffer>; mediaType: string; query?: string; onProgress?: (loaded: number, total: number) => void;
}

export function xhrUpload(url: string, token: string | null, a: UploadArgs): Promise<DocumentInfo> {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('POST', url);
    if (token) x.setRequestHeader('Authorization', `Bearer ${token}`);
    x.setRequestHeader('Content-Type', a.mediaType || 'application/octet-stream');
    x.upload.onprogress = (e) => { if (e.lengthComputable) a.onProgress?.(e.loaded, e.total); };
    x.onload = () => {
      if (x.status === 201 || x.status === 200) resolve(JSON.parse(x.responseText) as DocumentInfo);
      else reject(problemOf(x.status, x.responseText));
    };
    x.onerror = () => reject(new TransferError('network error during upload', 0));
    const body = a.body instanceof Uint8Array ? new Blob([a.body]) : a.body;
    x.send(body);
  });
}

export async function fetchBytes(url: string, token: string | null): Promise<{ bytes: Uint8Array<ArrayBuffer>; type: string }> {
  const r = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (!r.ok) throw problemOf(r.status, await r.text());
  return { bytes: new Uint8Array(await r.arrayBuffer()), type: r.headers.get('content-type') ?? 'application/octet-stream' };
}

export function useTransfer() {
  const store = useStore<{ auth: AuthState }>();
  const token = () => store.getState().auth.accessToken;
  const withRetry = useCallback(async <T,>(run: (t: string | null) => Promise<T>): Promise<T> => {
    try {
      return await run(token());
    } catch (e) {
      if (!(e instanceof TransferError) || e.status !== 401 || !token()) throw e;
      await (store.dispatch as AppDispatch)(api.endpoints.me.initiate(undefined, { forceRefetch: true, subscribe: false }));
      return run(token());
    }
  // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [store]);
  const upload = useCallback((a: UploadArgs) => withRetry((t) => xhrUpload(`/api/v1/documents${a.query ?? ''}`, t, a)), [withRetry]);
  const download = useCallback((cid: string) => withRetry((t) => fetchBytes(`/ipfs/${cid}`, t)), [withRetry]);
  return { upload, download };
}
