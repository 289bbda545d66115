// The notification bell and toasts (in the header, for signed-in users). Loads the recent
// history (GET /notifications) into the bell and keeps the private WebSocket channel
// "notifications:<user id>" subscribed; each new message shows as a toast (announced
// through an aria-live region, dismissable, gone after 8 s) and joins the bell's list; opening
// the list marks everything read. A new notification also refreshes the cached chain and
// balance data (a withdrawal confirmed, a deposit credited, a listing filled...).
import { useEffect, useId, useRef, useState } from 'react';
import { Link } from 'react-router-dom';
import { useAppDispatch, useAppSelector } from '../../store/hooks';
import { useMarketChannels } from '../../services/ws';
import { api } from '../../services/api';
import { allRead, historyLoaded, notificationsChannel, toastDismissed, type Notification } from '../../store/notificationsSlice';
import { useRecentNotificationsQuery } from '../../services/notifications.api';
import './notifications.css';

const TOAST_MS = 8000;
const REFRESH_TAGS = ['Holding', 'Cash', 'ChainStatus', 'ChainBatch', 'ChainWithdrawal', 'ChainDeposit', 'ChainApproval', 'Anchor', 'ChainListing', 'ChainRetirement'];

function when(ts: number): string {
  if (!ts) return '';
  // Servers send seconds, milliseconds or microseconds: normalise by magnitude.
  const ms = ts > 1e14 ? ts / 1000 : ts > 1e11 ? ts : ts * 1000;
  return new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

function Toast({ n }: { n: Notification }) {
  const dispatch = useAppDispatch();
  useEffect(() => {
    const t = setTimeout(() => dispatch(toastDismissed(n.id)), TOAST_MS);
    return () => clearTimeout(t);
  }, [n.id, dispatch]);
  return (
    <li className="toast" data-kind={n.kind}>
      <strong>{n.title}</strong>{n.detail ? <span> — {n.detail}</span> : null}
      <button type="button" className="toast-close" onClick={() => dispatch(toastDismissed(n.id))} aria-label={`Dismiss: ${n.title}`}>×</button>
    </li>
  );
}

export function Notifications() {
  const dispatch = useAppDispatch();
  const { items, toasts, unread } = useAppSelector((s) => s.notifications);
  const [open, setOpen] = useState(false);
  const listId = useId();
  const userId = useAppSelector((s) => s.auth.user?.id);
  useMarketChannels(userId != null ? [notificationsChannel(userId)] : []);
  const history = useRecentNotificationsQuery(undefined, { skip: userId == null });
  useEffect(() => {
    if (history.data) dispatch(historyLoaded(history.data.items));
  }, [history.data, dispatch]);
  const newest = items[0]?.id ?? 0;
  const seen = useRef(newest);
  useEffect(() => {
    if (newest === seen.current) return;
    seen.current = newest;
    dispatch(api.util.invalidateTags(REFRESH_TAGS as never));
  }, [newest, dispatch]);
  const shown = toasts.map((id) => items.find((x) => x.id === id)).filter((x): x is Notification => !!x);
  return (
    <div className="notif">
      <button type="button" className="bell" aria-expanded={open} aria-controls={listId} data-testid="bell"
        onClick={() => { setOpen(!open); if (!open) dispatch(allRead()); }}>
        <svg aria-hidden="true" focusable="false" width="18" height="18" viewBox="0 0 24 24"><path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5-6.71V3.5a2 2 0 0 0-4 0v.79A7 7 0 0 0 5 11v5l-2 2v1h18v-1Z" /></svg>
        <span className="sr-only">Notifications</span>{unread ? <span className="bell-count">{unread}<span className="sr-only"> unread</span></span> : null}
      </button>
      <div id={listId} className="notif-list" hidden={!open}>
        {items.length === 0 ? <p>No notifications yet.</p> : (
          <ul aria-label="Notifications" data-testid="notifications">
            {items.map((n) => (
              <li key={n.id} data-kind={n.kind}>
                {n.link ? <Link to={n.link} onClick={() => setOpen(false)}><strong>{n.title}</strong></Link> : <strong>{n.title}</strong>}
                {n.detail ? <> — {n.detail}</> : null}
                {n.ts ? <small> · {when(n.ts)}</small> : null}
              </li>
            ))}
          </ul>
        )}
      </div>
      <div className="toasts" aria-live="polite" aria-relevant="additions" role="region" aria-label="New notifications">
        <ul data-testid="toasts">{shown.map((n) => <Toast key={n.id} n={n} />)}</ul>
      </div>
    </div>
  );
}
