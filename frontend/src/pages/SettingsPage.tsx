// Settings / Security: the second factor (status; enroll with the QR code and the secret for
// manual entry; confirm with a code; the ten recovery codes shown once with copy and
// download; disable with a code or a recovery code) and Ethereum wallets (link one with the
// injected wallet; the wallets linked in this visit are listed from the server's reply).
// The QR code is server-made SVG, drawn through <img src="data:image/svg+xml,..."> so it can
// never run script in the page.
import { useState } from 'react';
import { RequireRole } from '../components/common/RequireRole';
import { Field } from '../components/common/Field';
import { FormStatus } from '../components/common/FormStatus';
import { QueryState } from '../components/common/Loading';
import { clientError, useFormAction } from '../components/common/useFormAction';
import { useWalletSignature } from '../components/security/useWallet';
import { ApiKeys } from '../components/security/ApiKeys';
import { Privacy } from '../components/security/Privacy';
import {
  useMfaConfirmMutation, useMfaDisableMutation, useMfaEnrollMutation, useMfaQrSvgQuery, useMfaStatusQuery, useSiweLinkMutation,
  type MfaEnrollment,
} from '../services/api';
import { useAppSelector } from '../store/hooks';
import { hasRole } from '../store/authSlice';
import { injectedWallet } from '../utils/siwe';

export const svgDataUri = (svg: string) => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  const text = `CarbonXchange recovery codes (each works once)\n${codes.join('\n')}\n`;
  async function copy() {
    try { await navigator.clipboard.writeText(text); setCopied(true); } catch { setCopied(false); }
  }
  function download() {
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    const a = Object.assign(document.createElement('a'), { href: url, download: 'carbonxchange-recovery-codes.txt' });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
  return (
    <div role="region" aria-labelledby="h-rc">
      <h3 id="h-rc">Your recovery codes</h3>
      <p><strong>Save them now: they are shown only once.</strong> Each signs you in once if you lose your authenticator.</p>
      <ul className="recovery-codes" data-testid="recovery-codes">{codes.map((c) => <li key={c}>{c}</li>)}</ul>
      <p className="actions">
        <button type="button" className="secondary" onClick={copy}>Copy codes</button>
        <button type="button" className="secondary" onClick={download}>Download codes</button>
        <button type="button" onClick={onDone}>I have saved them</button>
      </p>
      {copied ? <p role="status">Copied to the clipboard.</p> : null}
    </div>
  );
}

function Enrollment({ enrollment, onConfirmed }: { enrollment: MfaEnrollment | null; onConfirmed: (codes: string[]) => void }) {
  const [confirm] = useMfaConfirmMutation();
  // After a reload the secret is not shown again; the pending enrollment's QR code still is.
  const qr = useMfaQrSvgQuery(undefined, { skip: !!enrollment });
  const svg = enrollment?.qr_svg ?? qr.data;
  const f = useFormAction(async (v) => {
    const code = v.code.replace(/\s+/g, '');
    if (!/^\d{6}$/.test(code)) throw clientError('code', 'Enter the 6-digit code your app shows');
    const r = await confirm({ code }).unwrap();
    onConfirmed(r.recovery_codes);
    return r;
  });
  return (
    <div>
      <ol>
        <li>Scan this QR code with an authenticator app (any TOTP app: 6 digits, 30 seconds).</li>
        <li>Or type the secret in by hand.</li>
        <li>Enter the code the app shows to finish.</li>
      </ol>
      {svg ? <img className="qr" src={svgDataUri(svg)} alt="QR code of the second-factor secret for an authenticator app" /> : <QueryState isLoading={qr.isLoading} error={qr.error} />}
      {enrollment ? (
        <p>Secret for manual entry: <code className="mono" data-testid="mfa-secret">{enrollment.secret}</code></p>
      ) : <p className="hint">The secret is shown only when the enrollment starts; start again to see it.</p>}
      <form onSubmit={f.onSubmit} noValidate aria-label="Confirm the second factor">
        <Field label="Code from the app" name="code" required error={f.error} inputMode="numeric" autoComplete="one-time-code" placeholder="123456" />
        <FormStatus error={f.error} fields={['code']} busy={f.busy} />
        <button type="submit" disabled={f.busy}>Turn on the second factor</button>
      </form>
    </div>
  );
}

function Disable() {
  const [disable] = useMfaDisableMutation();
  const [recovery, setRecovery] = useState(false);
  const f = useFormAction(async (v, form) => {
    const body = recovery ? { recovery_code: v.recovery_code } : { code: v.code.replace(/\s+/g, '') };
    if (recovery && !body.recovery_code) throw clientError('recovery_code', 'Enter one of your recovery codes');
    if (!recovery && !/^\d{6}$/.test(body.code ?? '')) throw clientError('code', 'Enter the 6-digit code your app shows');
    const r = await disable(body).unwrap();
    form.reset();
    return r;
  });
  return (
    <form onSubmit={f.onSubmit} noValidate aria-label="Turn off the second factor" key={String(recovery)}>
      {recovery
        ? <Field label="Recovery code" name="recovery_code" required error={f.error} autoComplete="off" />
        : <Field label="Current code from the app" name="code" required error={f.error} inputMode="numeric" autoComplete="one-time-code" />}
      <FormStatus error={f.error} fields={[recovery ? 'recovery_code' : 'code']} busy={f.busy} />
      <p className="actions">
        <button type="submit" className="danger" disabled={f.busy}>Turn off the second factor</button>
        <button type="button" className="link" onClick={() => setRecovery(!recovery)}>{recovery ? 'Use a code from the app instead' : 'Use a recovery code instead'}</button>
      </p>
    </form>
  );
}

function SecondFactor() {
  const user = useAppSelector((s) => s.auth.user);
  const status = useMfaStatusQuery();
  const [enroll] = useMfaEnrollMutation();
  const [enrollment, setEnrollment] = useState<MfaEnrollment | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const start = useFormAction(async () => {
    const e = await enroll().unwrap();
    setEnrollment(e);
    return e;
  });
  const s = status.data;
  const needed = hasRole(user, 'admin', 'verifier');
  return (
    <section aria-labelledby="h-mfa">
      <h2 id="h-mfa">Second factor (authenticator app)</h2>
      <QueryState isLoading={status.isLoading} error={status.error} />
      {codes ? <RecoveryCodes codes={codes} onDone={() => setCodes(null)} /> : null}
      {s ? (
        <>
          <p data-testid="mfa-status">
            Status: <strong>{s.enabled ? 'on' : s.enrollment_pending ? 'set-up started, not confirmed' : 'off'}</strong>
            {s.enabled ? ` · ${s.recovery_codes_left} recovery code${s.recovery_codes_left === 1 ? '' : 's'} left` : ''}
          </p>
          {!s.enabled && needed ? <p>Your role needs it: approving withdrawals asks for a current code.</p> : null}
          {s.enabled ? (
            codes ? null : <Disable />
          ) : (
            <>
              {enrollment || s.enrollment_pending ? (
                <Enrollment enrollment={enrollment} onConfirmed={(c) => { setCodes(c); setEnrollment(null); }} />
              ) : null}
              <form onSubmit={start.onSubmit} noValidate aria-label="Set up the second factor">
                <FormStatus error={start.error} fields={[]} busy={start.busy} />
                <button type="submit" className={enrollment || s.enrollment_pending ? 'secondary' : undefined} disabled={start.busy}>
                  {enrollment || s.enrollment_pending ? 'Start again with a new secret' : 'Set up the second factor'}
                </button>
              </form>
            </>
          )}
        </>
      ) : null}
    </section>
  );
}

function Wallets() {
  const sign = useWalletSignature();
  const [link] = useSiweLinkMutation();
  const [wallets, setWallets] = useState<string[] | null>(null);
  const f = useFormAction(async () => {
    const s = await sign();
    const r = await link({ message: s.message, signature: s.signature }).unwrap();
    setWallets(r.wallets);
    return r;
  });
  const hasWallet = injectedWallet() !== null;
  return (
    <section aria-labelledby="h-wallets">
      <h2 id="h-wallets">Ethereum wallets</h2>
      <p>A linked wallet signs you in with Sign-In with Ethereum (EIP-4361) instead of the password; the second factor still applies.</p>
      {wallets ? (
        <ul aria-label="Linked wallets" data-testid="wallets">{wallets.map((w) => <li key={w} className="mono">{w}</li>)}</ul>
      ) : null}
      {hasWallet ? (
        <form onSubmit={f.onSubmit} noValidate aria-label="Link a wallet">
          <FormStatus error={f.error} fields={[]} busy={f.busy} success={f.result ? <p>Wallet linked.</p> : null} />
          <button type="submit" disabled={f.busy}>Link the wallet in this browser</button>
        </form>
      ) : <p className="hint">No Ethereum wallet was found in this browser (install one such as MetaMask to link it).</p>}
    </section>
  );
}

export default function SettingsPage() {
  return (
    <RequireRole roles={[]} title="Settings">
      <h1>Settings and security</h1>
      <SecondFactor />
      <Wallets />
      <ApiKeys />
      <Privacy />
    </RequireRole>
  );
}
