// Routes and the shell (header, navigation by role, skip link, focus on navigation).
// Markets (/markets), the trading page (/markets/:id, with the D3 charts), analytics and the
// audit trail are lazy chunks.
import { lazy, Suspense, useEffect, useRef } from 'react';
import { Link, NavLink, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { usePageViews } from './services/usage.api';
import { useAppDispatch, useAppSelector } from './store/hooks';
import { hasRole, signedOut, userLoaded } from './store/authSlice';
import { useLogoutMutation, useMeQuery } from './services/api';
import { RegistryPage } from './pages/RegistryPage';
import { SignInPage, SignUpPage } from './pages/AuthPages';
import { Notifications } from './components/common/Notifications';

const ProjectPage = lazy(() => import('./pages/ProjectPage'));
const DeveloperPage = lazy(() => import('./pages/DeveloperPage'));
const VerifierPage = lazy(() => import('./pages/VerifierPage'));
const PortfolioPage = lazy(() => import('./pages/PortfolioPage'));
const CertificatePage = lazy(() => import('./pages/CertificatePage'));
const AdminPage = lazy(() => import('./pages/AdminPage'));
const RetirementsPage = lazy(() => import('./pages/RetirementsPage'));
const MarketsPage = lazy(() => import('./pages/MarketsPage'));
const TradePage = lazy(() => import('./pages/TradePage'));
const AnalyticsPage = lazy(() => import('./pages/AnalyticsPage'));
const AuditPage = lazy(() => import('./pages/AuditPage'));
const SettingsPage = lazy(() => import('./pages/SettingsPage'));
const KycPage = lazy(() => import('./pages/KycPage'));
const WalletPage = lazy(() => import('./pages/WalletPage'));

function Session() {
  const auth = useAppSelector((s) => s.auth);
  const dispatch = useAppDispatch();
  const signedIn = !!(auth.accessToken || auth.refreshToken);
  const me = useMeQuery(undefined, { skip: !signedIn || !!auth.user });
  useEffect(() => { if (me.data) dispatch(userLoaded(me.data)); }, [me.data, dispatch]);
  return null;
}

export function App() {
  const { user, refreshToken, restoring, withheldRoles } = useAppSelector((s) => s.auth);
  const dispatch = useAppDispatch();
  const navigate = useNavigate();
  const [logout] = useLogoutMutation();
  const loc = useLocation();
  usePageViews(loc.pathname);
  const main = useRef<HTMLElement>(null);
  const firstPath = useRef(loc.pathname);
  // Move focus to the content after in-app navigation (not on first load, so the first Tab
  // still reaches the skip link).
  useEffect(() => {
    if (loc.pathname === firstPath.current) return;
    firstPath.current = '';
    main.current?.focus();
  }, [loc.pathname]);

  async function signOut() {
    if (refreshToken) await logout({ refresh_token: refreshToken }).catch(() => undefined);
    navigate('/');
    dispatch(signedOut());
  }

  return (
    <>
      <a className="skip" href="#main">Skip to content</a>
      <Session />
      <header className="top">
        <Link to="/" className="brand">CarbonXchange</Link>
        <nav aria-label="Main">
          <ul>
            <li><NavLink to="/" end>Registry</NavLink></li>
            <li><NavLink to="/markets">Markets</NavLink></li>
            <li><NavLink to="/retirements">Retirements</NavLink></li>
            <li><NavLink to="/analytics">Analytics</NavLink></li>
            {hasRole(user, 'project_developer') ? <li><NavLink to="/developer">Developer</NavLink></li> : null}
            {hasRole(user, 'verifier') ? <li><NavLink to="/verifier">Verifier queue</NavLink></li> : null}
            {user ? <li><NavLink to="/portfolio">Portfolio</NavLink></li> : null}
            {hasRole(user, 'admin', 'auditor') ? <li><NavLink to="/admin">Admin</NavLink></li> : null}
            {hasRole(user, 'admin', 'auditor') ? <li><NavLink to="/audit">Audit</NavLink></li> : null}
            {user ? <li><NavLink to="/kyc">KYC</NavLink></li> : null}
            {user ? <li><NavLink to="/wallet">Wallet</NavLink></li> : null}
            {user ? <li><NavLink to="/settings">Settings</NavLink></li> : null}
          </ul>
        </nav>
        <div className="who">
          {user ? (
            <>
              <Notifications />
              <span>{user.email || user.display_name}</span>
              <button type="button" onClick={signOut}>Sign out</button>
            </>
          ) : restoring ? <span role="status">Restoring session…</span> : (
            <>
              <Link to="/signin">Sign in</Link> <Link to="/signup">Sign up</Link>
            </>
          )}
        </div>
      </header>
      {user && withheldRoles.length ? (
        <p className="notice" role="status">
          Your {withheldRoles.join(' and ')} role{withheldRoles.length > 1 ? 's need' : ' needs'} two-factor
          authentication: <Link to="/settings">turn it on in Settings</Link>, then sign in again with a code.
        </p>
      ) : null}
      <main id="main" ref={main} tabIndex={-1}>
        <Suspense fallback={<p role="status">Loading…</p>}>
          <Routes>
            <Route path="/" element={<RegistryPage />} />
            <Route path="/projects/:id" element={<ProjectPage />} />
            <Route path="/signin" element={<SignInPage />} />
            <Route path="/signup" element={<SignUpPage />} />
            <Route path="/developer" element={<DeveloperPage />} />
            <Route path="/verifier" element={<VerifierPage />} />
            <Route path="/portfolio" element={<PortfolioPage />} />
            <Route path="/certificates/:id" element={<CertificatePage />} />
            <Route path="/retirements" element={<RetirementsPage />} />
            <Route path="/admin" element={<AdminPage />} />
            <Route path="/markets" element={<MarketsPage />} />
            <Route path="/markets/:id" element={<TradePage />} />
            <Route path="/analytics" element={<AnalyticsPage />} />
            <Route path="/audit" element={<AuditPage />} />
            <Route path="/settings" element={<SettingsPage />} />
            <Route path="/kyc" element={<KycPage />} />
            <Route path="/wallet" element={<WalletPage />} />
            <Route path="*" element={<><h1>Page not found</h1><p><Link to="/">Back to the registry</Link></p></>} />
          </Routes>
        </Suspense>
      </main>
      <footer className="foot"><p>Quantities in tonnes CO₂e (3 decimals, exact). Certificates carry a Merkle proof you can check in this browser.</p></footer>
    </>
  );
}
