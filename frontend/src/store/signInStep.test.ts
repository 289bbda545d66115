// The sign-in dialogue: pure transitions, then the whole second-factor path against a real
// carbonx (enroll, confirm with an independently computed RFC 6238 code, sign-in asking for
// the code, a wrong code shown next to the code field, a recovery code instead), and the
// withdrawal amount check.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventForError, initialSignIn, secondFactor, signInReducer, type SignInState } from './signInStep';
import { makeStore, type AppStore } from './index';
import { signedIn } from './authSlice';
import { api } from '../services/api';
import { setApiBase } from '../services/reauth';
import { toFormError } from '../utils/problem';
import { checkWithdrawalAmount } from '../components/common/Withdrawals';
import { startCarbonx } from '../../e2e/carbonx.mjs';
import { codes, totpAt } from '../../e2e/totp.mjs';

describe('signInReducer', () => {
  it('asks for a code after AUTH_MFA_REQUIRED and keeps the credentials for the retry', () => {
    const ev = eventForError('AUTH_MFA_REQUIRED', 'password', { email: 'a@b.c', password: 'pw' });
    expect(ev).toEqual({ type: 'mfaRequired', method: 'password', email: 'a@b.c', password: 'pw', signup: false });
    const s = signInReducer(initialSignIn, ev!);
    expect(s).toMatchObject({ step: 'otp', method: 'password', email: 'a@b.c', password: 'pw' });
    const r = signInReducer(s, { type: 'useRecovery' });
    expect(r.step).toBe('recovery');
    expect(signInReducer(r, { type: 'useOtp' }).step).toBe('otp');
    expect(signInReducer(r, { type: 'restart' })).toEqual(initialSignIn);
  });
  it('offers sign-up to an unknown wallet only, and ignores other errors', () => {
    expect(signInReducer(initialSignIn, eventForError('REGISTRY_UNKNOWN_USER', 'wallet')!).step).toBe('wallet-signup');
    expect(eventForError('REGISTRY_UNKNOWN_USER', 'password')).toBeNull();
    expect(eventForError('AUTH_BAD_CREDENTIALS', 'password')).toBeNull();
    const w = signInReducer(initialSignIn, eventForError('AUTH_MFA_REQUIRED', 'wallet', undefined, true)!);
    expect(w).toMatchObject({ step: 'otp', method: 'wallet', signup: true });
  });
  it('ignores step changes that do not apply', () => {
    expect(signInReducer(initialSignIn, { type: 'useRecovery' })).toBe(initialSignIn);
    const otp: SignInState = { ...initialSignIn, step: 'otp' };
    expect(signInReducer(otp, { type: 'useOtp' })).toBe(otp);
  });
  it('builds the second-factor part of the request', () => {
    expect(secondFactor('otp', { otp: ' 123 456 ' })).toEqual({ otp: '123456' });
    expect(secondFactor('recovery', { recovery_code: ' abcd-efgh ' })).toEqual({ recovery_code: 'abcd-efgh' });
    expect(secondFactor('credentials', { otp: '1' })).toEqual({});
  });
});

describe('checkWithdrawalAmount', () => {
  it('takes exact decimals up to the available minor units', () => {
    expect(checkWithdrawalAmount('1,234.50', 123450)).toEqual({ ok: true, amount: '1234.50' });
    expect(checkWithdrawalAmount('1234.51', 123450)).toMatchObject({ ok: false, message: /available/ });
    expect(checkWithdrawalAmount('0.001', 100)).toMatchObject({ ok: false, message: /2 decimals/ });
    expect(checkWithdrawalAmount('0', 100)).toMatchObject({ ok: false, message: /above zero/ });
    expect(checkWithdrawalAmount('1e3', 10 ** 9)).toMatchObject({ ok: false });
    expect(checkWithdrawalAmount('90071992547409.91', 2n ** 60n)).toEqual({ ok: true, amount: '90071992547409.91' });
  });
});

describe('RFC 6238 helper', () => {
  it('matches the RFC test vector (SHA-1, T = 59 s)', () => {
    // Secret "12345678901234567890" in base32; the RFC's 8-digit 94287082 -> 6 digits.
    expect(totpAt('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 1)).toBe('287082');
  });
});

describe('second factor against a real carbonx', () => {
  let server: Awaited<ReturnType<typeof startCarbonx>>;
  let store: AppStore;
  beforeAll(async () => {
    server = await startCarbonx({ demo: true });
    setApiBase(`${server.url}/api/v1`);
    store = makeStore();
  }, 60000);
  afterAll(async () => { await server?.stop(); });

  it('enroll, confirm, then the sign-in dialogue needs the code (or a recovery code)', async () => {
    const creds = { email: 'seller@carbonx.demo', password: 'demo-seller-2026' };
    store.dispatch(signedIn(await store.dispatch(api.endpoints.login.initiate(creds)).unwrap()));
    expect(await store.dispatch(api.endpoints.mfaStatus.initiate()).unwrap()).toMatchObject({ enabled: false });
    const e = await store.dispatch(api.endpoints.mfaEnroll.initiate()).unwrap();
    expect(e.qr_svg).toMatch(/<svg/);
    const qr = await store.dispatch(api.endpoints.mfaQrSvg.initiate()).unwrap();
    expect(qr).toMatch(/<svg/);
    const gen = codes(e.secret);
    const bad = await store.dispatch(api.endpoints.mfaConfirm.initiate({ code: gen.wrong() })).unwrap().catch(toFormError);
    expect(bad).toMatchObject({ code: 'AUTH_BAD_CREDENTIALS', field: 'code' });
    const c = await store.dispatch(api.endpoints.mfaConfirm.initiate({ code: await gen.next() })).unwrap();
    expect(c.recovery_codes).toHaveLength(10);

    // The dialogue: password -> code step.
    let st = initialSignIn;
    const first = await store.dispatch(api.endpoints.login.initiate(creds)).unwrap().catch(toFormError);
    const ev = eventForError(('code' in first ? first.code : undefined), 'password', creds);
    expect(ev?.type).toBe('mfaRequired');
    st = signInReducer(st, ev!);
    const wrong = await store.dispatch(api.endpoints.login.initiate({ email: st.email, password: st.password, ...secondFactor(st.step, { otp: gen.wrong() }) })).unwrap().then(() => null, toFormError);
    expect(wrong).toMatchObject({ code: 'AUTH_BAD_CREDENTIALS', field: 'otp' });
    expect(eventForError(wrong?.code, 'password')).toBeNull();
    const ok = await store.dispatch(api.endpoints.login.initiate({ email: st.email, password: st.password, ...secondFactor(st.step, { otp: await gen.next() }) })).unwrap();
    expect(ok.user?.email).toBe(creds.email);
    // Recovery code instead.
    st = signInReducer(st, { type: 'useRecovery' });
    const rc = await store.dispatch(api.endpoints.login.initiate({ email: st.email, password: st.password, ...secondFactor(st.step, { recovery_code: c.recovery_codes[3] }) })).unwrap();
    expect(rc.user?.email).toBe(creds.email);
    store.dispatch(signedIn(rc));
    expect(await store.dispatch(api.endpoints.mfaStatus.initiate(undefined, { forceRefetch: true })).unwrap()).toMatchObject({ enabled: true, recovery_codes_left: 9 });
    // A wrong code on an authenticated step-up route does not end the session (no token rotation on 401 AUTH_*).
    const dis = await store.dispatch(api.endpoints.mfaDisable.initiate({ code: gen.wrong() })).unwrap().catch(toFormError);
    expect(dis).toMatchObject({ code: 'AUTH_BAD_CREDENTIALS', field: 'code' });
    expect(store.getState().auth.accessToken).toBe(rc.access_token);
    const off = await store.dispatch(api.endpoints.mfaDisable.initiate({ recovery_code: c.recovery_codes[4] })).unwrap();
    expect(off.enabled).toBe(false);
  }, 120000);
});
