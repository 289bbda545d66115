// Base query with bearer auth and refresh-token rotation. Contract: on a 401 from a request
// that carried an access token, rotate once via POST /auth/refresh (one refresh in flight at
// a time: the server treats a reused refresh token as theft), then replay the request once.
// If rotation fails the session ends (signedOut).
import { fetchBaseQuery, type BaseQueryFn, type FetchArgs, type FetchBaseQueryError } from '@reduxjs/toolkit/query';
import { signedIn, signedOut, type AuthState, type TokenPair } from '../store/authSlice';

export const API_BASE = '/api/v1';

// Where the default API lives; tests (in Node, no page origin) point it at a real server.
let apiBase = API_BASE;
export function setApiBase(url: string): void { apiBase = url; }

type Api = Parameters<BaseQueryFn>[1];

export function makeBaseQuery(baseUrl?: string, fetchFn?: typeof fetch): BaseQueryFn<string | FetchArgs, unknown, FetchBaseQueryError> {
  const fetchRaw = (base: string) => fetchBaseQuery({
    baseUrl: base,
    fetchFn,
    prepareHeaders: (h, { getState }) => {
      const t = (getState() as { auth: AuthState }).auth.accessToken;
      if (t) h.set('authorization', `Bearer ${t}`);
      return h;
    },
  });
  const fixed = baseUrl !== undefined ? fetchRaw(baseUrl) : null;
  const raw: ReturnType<typeof fetchBaseQuery> = (a, b, c) => (fixed ?? fetchRaw(apiBase))(a, b, c);
  let inflight: Promise<boolean> | null = null;

  async function rotate(api: Api, extra: object): Promise<boolean> {
    const rt = (api.getState() as { auth: AuthState }).auth.refreshToken;
    if (!rt) return false;
    const r = await raw({ url: '/auth/refresh', method: 'POST', body: { refresh_token: rt } }, api, extra);
    if (r.data) {
      api.dispatch(signedIn(r.data as TokenPair));
      return true;
    }
    api.dispatch(signedOut());
    return false;
  }

  return async (args, api, extra) => {
    const st = () => (api.getState() as { auth: AuthState }).auth;
    // After a reload only the refresh token is known: get an access token first.
    if (!st().accessToken && st().refreshToken && !isAuthCall(args)) {
      inflight ??= rotate(api, extra as object).finally(() => { inflight = null; });
      await inflight;
    }
    const hadToken = !!st().accessToken;
    let result = await raw(args, api, extra as object);
    if (result.error?.status === 401 && hadToken && !isAuthCall(args) && !isCredentialError(result.error)) {
      inflight ??= rotate(api, extra as object).finally(() => { inflight = null; });
      if (await inflight) result = await raw(args, api, extra as object);
    }
    return result;
  };
}

// The session endpoints themselves (no bearer needed). The second-factor and wallet-link
// routes under /auth/ do need the signed-in user's token, so they rotate like any other.
const SESSION_CALLS = /^\/auth\/(login|register|refresh|logout|siwe|siwe\/nonce)(\?|$)/;
function isAuthCall(args: string | FetchArgs): boolean {
  const url = typeof args === 'string' ? args : args.url;
  return SESSION_CALLS.test(url);
}

// A 401 about a code or password the user typed (wrong one-time code, step-up needed) says
// nothing about the access token: no rotation, no replay.
function isCredentialError(e: FetchBaseQueryError): boolean {
  const code = (e.data as { code?: unknown } | undefined)?.code;
  return code === 'AUTH_BAD_CREDENTIALS' || code === 'AUTH_MFA_REQUIRED';
}
