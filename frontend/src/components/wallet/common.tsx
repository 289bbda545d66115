// Shared bits of the chain pages: a transaction hash with its explorer link, a wallet
// action runner that reports its steps (announced politely: aria-live) and its outcome.
import { useState, type ReactNode } from 'react';
import { explorerTxUrl, shortHex } from '../../utils/chain';
import type { ChainStatus } from '../../services/chain.api';

export function TxLink({ hash, status }: { hash: string | null | undefined; status?: ChainStatus }) {
  if (!hash) return <>—</>;
  const url = explorerTxUrl(status?.network, status?.chain_id, hash, status?.explorer);
  const text = <span className="mono" title={hash}>{shortHex(hash)}</span>;
  return url ? <a href={url} target="_blank" rel="noreferrer">{text}<span className="sr-only"> (opens the block explorer)</span></a> : text;
}

export function Addr({ a }: { a: string | null | undefined }) {
  return a ? <span className="mono" title={a}>{shortHex(a)}</span> : <>—</>;
}

export interface TxRun<T> {
  run: (f: (step: (what: string, tx?: string) => void) => Promise<T>) => Promise<T | undefined>;
  busy: boolean; step: string; tx: string; error: string; result: T | undefined; reset: () => void;
}

/** Runs one wallet action at a time, keeping its current step, last transaction and error. */
export function useTxRun<T>(): TxRun<T> {
  const [busy, setBusy] = useState(false);
  const [step, setStep] = useState('');
  const [tx, setTx] = useState('');
  const [error, setError] = useState('');
  const [result, setResult] = useState<T | undefined>(undefined);
  async function run(f: (step: (what: string, tx?: string) => void) => Promise<T>) {
    setBusy(true); setError(''); setResult(undefined); setTx(''); setStep('');
    try {
      const r = await f((what, h) => { setStep(what); if (h) setTx(h); });
      setResult(r);
      return r;
    } catch (e) {
      setError((e as Error).message || 'Something went wrong.');
      return undefined;
    } finally {
      setBusy(false); setStep('');
    }
  }
  return { run, busy, step, tx, error, result, reset: () => { setError(''); setResult(undefined); setTx(''); } };
}

export function TxStatus<T>({ r, status, success }: { r: TxRun<T>; status?: ChainStatus; success?: ReactNode }) {
  return (
    <div aria-live="polite">
      {r.busy ? <p className="busy" role="status">{r.step || 'Working…'}{r.tx ? <> (transaction <TxLink hash={r.tx} status={status} />)</> : null}</p> : null}
      {r.error ? <p className="form-error" role="alert">{r.error}</p> : null}
      {!r.busy && !r.error && r.result !== undefined && success ? <div className="success" role="status">{success}</div> : null}
    </div>
  );
}
