// Shows children only to a signed-in user with one of `roles`; otherwise explains why.
import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { useAppSelector } from '../../store/hooks';
import { hasRole } from '../../store/authSlice';

export function RequireRole({ roles, children, title }: { roles: string[]; children: ReactNode; title: string }) {
  const { user, restoring, refreshToken } = useAppSelector((s) => s.auth);
  if (!user) {
    if (restoring || refreshToken) return <p role="status">Restoring session…</p>;
    return (<><h1>{title}</h1><p>Please <Link to="/signin">sign in</Link> first.</p></>);
  }
  if (roles.length && !hasRole(user, ...roles)) return (<><h1>{title}</h1><p>This page needs one of these roles: {roles.join(', ')}.</p></>);
  return <>{children}</>;
}
