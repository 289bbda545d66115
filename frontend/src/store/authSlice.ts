// Session state. Contract: the access token lives only in memory (this slice); the refresh
// token is kept in sessionStorage (per tab, cleared on sign-out) so a reload can rotate it
// via /auth/refresh. Roles come from the server's user record, never from the token, less
// the roles the server withheld from this session for want of a second factor
// (`withheld_roles`: admins and verifiers must sign in with TOTP to act as such).
import { createSlice, type PayloadAction } from '@reduxjs/toolkit';

export interface User { id: number; account: number; email: string; display_name: string; roles: string[] }
export interface TokenPair { access_token: string; refresh_token: string; expires_in?: number; user?: User; withheld_roles?: string[] }

export interface AuthState {
  accessToken: string | null; refreshToken: string | null; user: User | null; restoring: boolean;
  withheldRoles: string[];
}

function effective(u: User, withheld: string[]): User {
  return withheld.length ? { ...u, roles: u.roles.filter((r) => !withheld.includes(r)) } : u;
}

export const REFRESH_KEY = 'cx.refresh';

function storage(): Storage | null {
  try { return typeof sessionStorage === 'undefined' ? null : sessionStorage; } catch { return null; }
}

export function initialAuth(): AuthState {
  const rt = storage()?.getItem(REFRESH_KEY) ?? null;
  return { accessToken: null, refreshToken: rt, user: null, restoring: rt !== null, withheldRoles: [] };
}

const authSlice = createSlice({
  name: 'auth',
  initialState: initialAuth,
  reducers: {
    signedIn(state, a: PayloadAction<TokenPair>) {
      state.accessToken = a.payload.access_token;
      state.refreshToken = a.payload.refresh_token;
      state.withheldRoles = a.payload.withheld_roles ?? [];
      if (a.payload.user) state.user = effective(a.payload.user, state.withheldRoles);
      state.restoring = false;
      storage()?.setItem(REFRESH_KEY, a.payload.refresh_token);
    },
    userLoaded(state, a: PayloadAction<User>) {
      state.user = effective(a.payload, state.withheldRoles);
    },
    signedOut(state) {
      state.accessToken = null;
      state.refreshToken = null;
      state.user = null;
      state.restoring = false;
      state.withheldRoles = [];
      storage()?.removeItem(REFRESH_KEY);
    },
  },
});

export const { signedIn, userLoaded, signedOut } = authSlice.actions;
export default authSlice.reducer;

export function hasRole(user: User | null, ...roles: string[]): boolean {
  return !!user && roles.some((r) => user.roles.includes(r));
}
