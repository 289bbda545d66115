// The sign-in dialogue as a pure state machine (used with useReducer on the sign-in page).
// Contract: the password step (or a wallet signature) is tried first; when the server answers
// AUTH_MFA_REQUIRED the dialogue asks for a one-time code ("otp"), or a recovery code instead;
// a wallet unknown to the server (REGISTRY_UNKNOWN_USER) is offered a sign-up. Credentials
// typed in the first step stay in this component state (memory) only until sign-in ends.

export type Method = 'password' | 'wallet';
export type Step = 'credentials' | 'otp' | 'recovery' | 'wallet-signup';
export interface SignInState { step: Step; method: Method; email: string; password: string; signup: boolean }

export type SignInEvent =
  | { type: 'mfaRequired'; method: Method; email?: string; password?: string; signup?: boolean }
  | { type: 'walletUnknown' }
  | { type: 'useRecovery' }
  | { type: 'useOtp' }
  | { type: 'restart' };

export const initialSignIn: SignInState = { step: 'credentials', method: 'password', email: '', password: '', signup: false };

export function signInReducer(s: SignInState, e: SignInEvent): SignInState {
  switch (e.type) {
    case 'mfaRequired':
      return { ...s, step: 'otp', method: e.method, email: e.email ?? s.email, password: e.password ?? s.password, signup: e.signup ?? s.signup };
    case 'walletUnknown':
      return { ...initialSignIn, step: 'wallet-signup', method: 'wallet' };
    case 'useRecovery':
      return s.step === 'otp' ? { ...s, step: 'recovery' } : s;
    case 'useOtp':
      return s.step === 'recovery' ? { ...s, step: 'otp' } : s;
    case 'restart':
      return initialSignIn;
  }
}

/** What a failed sign-in attempt means for the dialogue (by the problem+json code), or null
 *  when the error is shown as is. */
export function eventForError(code: string | undefined, method: Method, creds?: { email: string; password: string }, signup = false): SignInEvent | null {
  if (code === 'AUTH_MFA_REQUIRED') return { type: 'mfaRequired', method, ...(creds ?? {}), signup };
  if (code === 'REGISTRY_UNKNOWN_USER' && method === 'wallet') return { type: 'walletUnknown' };
  return null;
}

/** The second-factor part of a sign-in request for the current step. */
export function secondFactor(step: Step, values: Record<string, string>): { otp?: string; recovery_code?: string } {
  if (step === 'otp') return { otp: (values.otp ?? '').replace(/\s+/g, '') };
  if (step === 'recovery') return { recovery_code: (values.recovery_code ?? '').trim() };
  return {};
}
