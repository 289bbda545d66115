// Sign in and sign up. Tokens go to the auth slice (access token in memory only).
// Sign-in is a small dialogue (store/signInStep.ts): password (or an Ethereum wallet), then a
// one-time code or a recovery code when the account has a second factor; a wallet the server
// does not know is offered a new account.
import { useEffect, useReducer, useRef } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { useLoginMutation, useRegisterMutation, useSiweLoginMutation } from '../services/api';
import { useAppDispatch } from '../store/hooks';
import { signedIn, type TokenPair } from '../store/authSlice';
import { eventForError, initialSignIn, secondFactor, signInReducer } from '../store/signInStep';
import { Field } from '../components/common/Field';
import { FormStatus } from '../components/common/FormStatus';
import { clientError, useFormAction } from '../components/common/useFormAction';
import { useWalletSignature } from '../components/security/useWallet';
import { injectedWallet } from '../utils/siwe';
import { toFormError } from '../utils/problem';

function landing(roles: string[]): string {
  return roles.includes('project_developer') ? '/developer' : roles.includes('verifier') ? '/verifier' : roles.includes('admin') ? '/admin' : '/portfolio';
}

export function SignInPage() {
  const [login] = useLoginMutation();
  const [siwe] = useSiweLoginMutation();
  const sign = useWalletSignature();
  const dispatch = useAppDispatch();
  const navigate = useNavigate();
  const [st, send] = useReducer(signInReducer, initialSignIn);
  const codeForm = useRef<HTMLFormElement>(null);
  const hasWallet = injectedWallet() !== null;

  function finish(t: TokenPair) {
    dispatch(signedIn(t));
    navigate(landing(t.user?.roles ?? []));
    return t;
  }
  // Runs one attempt; a reply that moves the dialogue on (code needed, unknown wallet) is not an error.
  async function attempt(run: () => Promise<TokenPair>, method: 'password' | 'wallet', creds?: { email: string; password: string }, signup = false) {
    try {
      return finish(await run());
    } catch (e) {
      const ev = eventForError(toFormError(e).code, method, creds, signup);
      if (ev) { send(ev); return null; }
      throw e;
    }
  }
  const walletAttempt = (signup: boolean, otp?: string) => attempt(async () => {
    const s = await sign();
    return siwe({ message: s.message, signature: s.signature, ...(signup ? { signup: true } : {}), ...(otp ? { otp } : {}) }).unwrap();
  }, 'wallet', undefined, signup);

  const pw = useFormAction(async (v) => {
    const creds = { email: v.email, password: v.password };
    return attempt(() => login(creds).unwrap(), 'password', creds);
  });
  const code = useFormAction(async (v) => {
    const sf = secondFactor(st.step, v);
    if (st.step === 'otp' && !/^\d{6}$/.test(sf.otp ?? '')) throw clientError('otp', 'Enter the 6-digit code from your authenticator app');
    if (st.step === 'recovery' && !sf.recovery_code) throw clientError('recovery_code', 'Enter one of your recovery codes');
    if (st.method === 'wallet') return walletAttempt(st.signup, sf.otp);
    return attempt(() => login({ email: st.email, password: st.password, ...sf }).unwrap(), 'password');
  });
  const wallet = useFormAction(async () => walletAttempt(false));
  const walletUp = useFormAction(async () => walletAttempt(true));

  // Focus the code field when the dialogue asks for it.
  useEffect(() => {
    if (st.step === 'otp' || st.step === 'recovery') codeForm.current?.querySelector<HTMLInputElement>('input')?.focus();
  }, [st.step]);

  if (st.step === 'otp' || st.step === 'recovery') {
    const otp = st.step === 'otp';
    return (
      <section className="narrow">
        <h1>Sign in</h1>
        <h2>Second factor</h2>
        <p>{otp ? 'Enter the 6-digit code your authenticator app shows for CarbonXchange.' : 'Enter one of the recovery codes you saved when you set up the second factor. Each works once.'}</p>
        <form ref={codeForm} onSubmit={code.onSubmit} noValidate aria-label="Second factor" key={st.step}>
          {otp
            ? <Field label="One-time code" name="otp" required error={code.error} inputMode="numeric" autoComplete="one-time-code" placeholder="123456" />
            : <Field label="Recovery code" name="recovery_code" required error={code.error} autoComplete="off" />}
          <FormStatus error={code.error} fields={[otp ? 'otp' : 'recovery_code']} busy={code.busy} />
          <button type="submit" disabled={code.busy}>Verify and sign in</button>
        </form>
        <p className="actions">
          {st.method === 'password'
            ? <button type="button" className="link" onClick={() => send({ type: otp ? 'useRecovery' : 'useOtp' })}>{otp ? 'Use a recovery code instead' : 'Use a code from the app instead'}</button>
            : null}{' '}
          <button type="button" className="link" onClick={() => send({ type: 'restart' })}>Start over</button>
        </p>
      </section>
    );
  }

  if (st.step === 'wallet-signup') {
    return (
      <section className="narrow">
        <h1>Sign in</h1>
        <h2>New wallet</h2>
        <p>No account is linked to this wallet yet. Create a trader account that signs in with it? (To use it with an existing account, sign in with your password and link it under Settings.)</p>
        <form onSubmit={walletUp.onSubmit} noValidate aria-label="Create an account with this wallet">
          <FormStatus error={walletUp.error} fields={[]} busy={walletUp.busy} />
          <button type="submit" disabled={walletUp.busy}>Create an account with this wallet</button>{' '}
          <button type="button" className="link" onClick={() => send({ type: 'restart' })}>Cancel</button>
        </form>
      </section>
    );
  }

  return (
    <section className="narrow">
      <h1>Sign in</h1>
      <form onSubmit={pw.onSubmit} noValidate aria-label="Sign in">
        <Field label="Email" name="email" type="email" autoComplete="username" required error={pw.error} inputMode="email" defaultValue={st.email} />
        <Field label="Password" name="password" type="password" autoComplete="current-password" required error={pw.error} />
        <FormStatus error={pw.error} fields={['email', 'password']} busy={pw.busy} />
        <button type="submit" disabled={pw.busy}>Sign in</button>
      </form>
      {hasWallet ? (
        <form onSubmit={wallet.onSubmit} noValidate aria-label="Sign in with a wallet" className="wallet-signin">
          <FormStatus error={wallet.error} fields={[]} busy={wallet.busy} />
          <button type="submit" disabled={wallet.busy}>Sign in with Ethereum wallet</button>
        </form>
      ) : null}
      <p>No account yet? <Link to="/signup">Sign up</Link></p>
    </section>
  );
}

export function SignUpPage() {
  const [register] = useRegisterMutation();
  const [login] = useLoginMutation();
  const dispatch = useAppDispatch();
  const navigate = useNavigate();
  const f = useFormAction(async (v) => {
    if (v.password !== v.password2) throw clientError('password2', 'The passwords do not match');
    const roles = v.roles === 'project_developer' ? ['trader', 'project_developer'] : ['trader'];
    await register({ email: v.email, password: v.password, display_name: v.display_name || undefined, roles }).unwrap();
    const t = await login({ email: v.email, password: v.password }).unwrap();
    dispatch(signedIn(t));
    navigate(roles.includes('project_developer') ? '/developer' : '/portfolio');
    return t;
  });
  return (
    <section className="narrow">
      <h1>Sign up</h1>
      <form onSubmit={f.onSubmit} noValidate>
        <Field label="Email" name="email" type="email" autoComplete="username" required error={f.error} inputMode="email" />
        <Field label="Display name" name="display_name" error={f.error} autoComplete="name" />
        <Field label="Password" name="password" type="password" autoComplete="new-password" required error={f.error} hint="At least 8 characters." />
        <Field label="Repeat password" name="password2" type="password" autoComplete="new-password" required error={f.error} />
        <Field label="I am a" name="roles" error={f.error} options={[
          { value: 'trader', label: 'Buyer / trader' }, { value: 'project_developer', label: 'Project developer (also a trader)' },
        ]} />
        <FormStatus error={f.error} fields={['email', 'display_name', 'password', 'password2', 'roles']} busy={f.busy} />
        <button type="submit" disabled={f.busy}>Create account</button>
      </form>
      <p>Already registered? <Link to="/signin">Sign in</Link></p>
    </section>
  );
}
