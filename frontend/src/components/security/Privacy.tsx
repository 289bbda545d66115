// Settings / Privacy: download everything the platform holds about me (one JSON file),
// give or withdraw consents (each decision is recorded with the policy version), and erase
// my account's personal data behind a clear confirmation (type ERASE, then the password or
// a current code). What erasure keeps (trades, holdings, retirements under the
// pseudonymous id) is said before the button. Rules live in privacyLogic.ts (tested).
import { useState } from 'react';
import { Field } from '../common/Field';
import { FormStatus } from '../common/FormStatus';
import { QueryState } from '../common/Loading';
import { useFormAction } from '../common/useFormAction';
import { toFormError, type FormError } from '../../utils/problem';
import { useMfaStatusQuery } from '../../services/api';
import {
  useConsentsQuery, useEraseAccountMutation, useLazyDataExportQuery, useRecordConsentMutation,
} from '../../services/privacy.api';
import { useAppDispatch, useAppSelector } from '../../store/hooks';
import { signedOut } from '../../store/authSlice';
import {
  CONFIRM_WORD, EXPORT_PARTS, POLICY_VERSION, PURPOSES, blockerMessage, buildEraseRequest, decidedOn, exportFileName, isGranted,
} from './privacyLogic';

function DownloadMyData() {
  const user = useAppSelector((s) => s.auth.user);
  const [fetchExport, state] = useLazyDataExportQuery();
  const [error, setError] = useState<FormError | null>(null);
  async function download() {
    setError(null);
    try {
      const data = await fetchExport(undefined, false).unwrap();
      const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
      const a = Object.assign(document.createElement('a'), { href: url, download: exportFileName(user?.id ?? 0) });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (e) {
      setError(toFormError(e));
    }
  }
  return (
    <div>
      <h3>Download my data</h3>
      <p>One JSON file with everything held about you: {EXPORT_PARTS.join(', ').replace(/_/g, ' ')}.</p>
      <button type="button" onClick={download} disabled={state.isFetching}>Download my data</button>
      <FormStatus error={error} fields={[]} busy={state.isFetching} />
    </div>
  );
}

function Consents() {
  const list = useConsentsQuery();
  const [record, recording] = useRecordConsentMutation();
  const [error, setError] = useState<FormError | null>(null);
  async function toggle(purpose: string, granted: boolean) {
    setError(null);
    try { await record({ purpose, granted, policy_version: POLICY_VERSION }).unwrap(); } catch (e) { setError(toFormError(e)); }
  }
  return (
    <div>
      <h3>Consents</h3>
      <p className="hint">Under privacy policy {POLICY_VERSION}. Each change is recorded; you can change your mind at any time.</p>
      <QueryState isLoading={list.isLoading} error={list.error} />
      <ul className="consents">
        {PURPOSES.map((p) => {
          const on = isGranted(list.data, p.purpose);
          const when = decidedOn(list.data, p.purpose);
          return (
            <li key={p.purpose}>
              <label>
                <input type="checkbox" name={p.purpose} checked={on} disabled={recording.isLoading || !list.data}
                  onChange={(e) => toggle(p.purpose, e.target.checked)} />
                {' '}{p.label}
              </label>
              <span className="hint"> — {p.hint}{when ? ` (${on ? 'given' : 'withdrawn'} ${when})` : ' (not asked yet)'}</span>
            </li>
          );
        })}
      </ul>
      <FormStatus error={error} fields={[]} busy={recording.isLoading} />
    </div>
  );
}

function EraseAccount() {
  const mfa = useMfaStatusQuery();
  const [erase] = useEraseAccountMutation();
  const dispatch = useAppDispatch();
  const [open, setOpen] = useState(false);
  const mfaOn = mfa.data?.enabled === true;
  const f = useFormAction(async (v) => {
    const r = await erase(buildEraseRequest(v, mfaOn)).unwrap();
    dispatch(signedOut());
    return r;
  });
  const blocked = f.error?.status === 409 || f.error?.code === 'REQUEST_CONFLICT' ? blockerMessage(f.error?.field) : null;
  return (
    <div>
      <h3>Erase my account</h3>
      <p>
        Erasing removes your email, name and password for good: the key that sealed them is destroyed, so no copy
        (journal, snapshots, backups) can be read again. You are signed out everywhere, your API keys stop and your
        wallets are unlinked.
      </p>
      <p>
        What stays, under your pseudonymous user and account numbers: your trades, holdings and retirements (the
        registry&rsquo;s legal record) and the security log. You cannot sign in again; the same email can open a new account.
      </p>
      {!open ? (
        <button type="button" className="danger" onClick={() => setOpen(true)}>Erase my account…</button>
      ) : (
        <form onSubmit={f.onSubmit} noValidate aria-label="Erase my account">
          <Field label={`Type ${CONFIRM_WORD} to confirm`} name="confirm" required error={f.error} autoComplete="off" />
          <Field label="Password" name="password" type="password" error={f.error} autoComplete="current-password" />
          {mfaOn ? (
            <Field label="…or a current code from your authenticator" name="otp" error={f.error} inputMode="numeric"
              autoComplete="one-time-code" placeholder="123456" />
          ) : null}
          {blocked ? <p className="form-error" role="alert">{blocked}</p> : null}
          <FormStatus error={blocked ? null : f.error} fields={['confirm', 'password', 'otp']} busy={f.busy} />
          <p className="actions">
            <button type="submit" className="danger" disabled={f.busy}>Erase my personal data now</button>
            <button type="button" className="secondary" onClick={() => setOpen(false)}>Cancel</button>
          </p>
        </form>
      )}
    </div>
  );
}

export function Privacy() {
  return (
    <section aria-labelledby="h-privacy">
      <h2 id="h-privacy">Privacy</h2>
      <DownloadMyData />
      <Consents />
      <EraseAccount />
    </section>
  );
}
