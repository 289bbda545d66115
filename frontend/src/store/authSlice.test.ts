import { describe, expect, it } from 'vitest';
import reducer, { hasRole, signedIn, signedOut, userLoaded, type AuthState } from './authSlice';

const user = { id: 5, account: 104, email: 'd@x.org', display_name: 'D', roles: ['project_developer'] };

describe('auth slice', () => {
  const empty: AuthState = { accessToken: null, refreshToken: null, user: null, restoring: false, withheldRoles: [] };
  it('starts signed out when nothing is stored', () => {
    expect(reducer(undefined, { type: '@@init' })).toEqual(empty);
  });
  it('keeps both tokens and the user after sign-in, and rotation replaces them', () => {
    let s = reducer(empty, signedIn({ access_token: 'a1', refresh_token: 'r1', user }));
    expect(s).toEqual({ accessToken: 'a1', refreshToken: 'r1', user, restoring: false, withheldRoles: [] });
    s = reducer(s, signedIn({ access_token: 'a2', refresh_token: 'r2' }));
    expect(s.accessToken).toBe('a2');
    expect(s.refreshToken).toBe('r2');
    expect(s.user).toEqual(user);  // a refresh without user keeps the known one
  });
  it('forgets everything on sign-out', () => {
    const s = reducer(reducer(empty, signedIn({ access_token: 'a', refresh_token: 'r', user })), signedOut());
    expect(s).toEqual(empty);
  });
  it('loads the user and checks roles', () => {
    const s = reducer(empty, userLoaded(user));
    expect(hasRole(s.user, 'project_developer')).toBe(true);
    expect(hasRole(s.user, 'admin', 'auditor')).toBe(false);
    expect(hasRole(null, 'trader')).toBe(false);
  });
  it('acts without the roles the server withheld for want of a second factor', () => {
    const admin = { ...user, roles: ['trader', 'admin'] };
    let s = reducer(empty, signedIn({ access_token: 'a', refresh_token: 'r', user: admin, withheld_roles: ['admin'] }));
    expect(s.withheldRoles).toEqual(['admin']);
    expect(hasRole(s.user, 'admin')).toBe(false);
    expect(hasRole(s.user, 'trader')).toBe(true);
    s = reducer(s, userLoaded(admin));  // a reload of the profile keeps the hold
    expect(hasRole(s.user, 'admin')).toBe(false);
    s = reducer(s, signedIn({ access_token: 'b', refresh_token: 'r2', user: admin, withheld_roles: [] }));
    expect(hasRole(s.user, 'admin')).toBe(true);
  });
});
