// Notifications for the signed-in user: messages of the private WebSocket channel
// "notifications:<user id>" ({channel, seq, type, ts (us), title, detail, ref, link, data}:
// chain events and the exchange's own events; see backend app/notifications.h), and the
// history from GET /api/v1/notifications on page load. Contract:
// - a message without a non-empty string `title` is ignored; the kind is `type` (the server's
//   notification type) or a legacy `kind`; `kind`, `detail`, `ref`, `link` default to '';
//   the same (kind, ref, ts, title) twice is kept once (a resubscribe may replay).
// - `items` newest first, at most MAX_NOTIFICATIONS; `unread` counts items not yet seen;
//   `toasts` lists the ids shown as toasts (at most MAX_TOASTS, the oldest dropped).
// - sign-out clears everything. Pure reducers; no I/O, no clock (ts comes from the server,
//   ids are a counter).
import { createSlice, type PayloadAction } from '@reduxjs/toolkit';

export interface Notification { id: number; kind: string; title: string; detail: string; ref: string; link: string; ts: number; read: boolean }
export interface NotificationsState { items: Notification[]; toasts: number[]; unread: number; nextId: number }

export const MAX_NOTIFICATIONS = 50;
export const MAX_TOASTS = 3;
export const NOTIFICATIONS_CHANNEL = 'notifications';

export const initialNotifications: NotificationsState = { items: [], toasts: [], unread: 0, nextId: 1 };

/** The private channel of user `userId`. */
export const notificationsChannel = (userId: number | string): string => `${NOTIFICATIONS_CHANNEL}:${userId}`;

/** Is this WebSocket message a notification (channel "notifications" or "notifications:<user>")? */
export function isNotificationMessage(m: unknown): boolean {
  const ch = (m as { channel?: unknown } | null)?.channel;
  return typeof ch === 'string' && (ch === NOTIFICATIONS_CHANNEL || ch.startsWith(`${NOTIFICATIONS_CHANNEL}:`));
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const CONTROL = new Set(['subscribed', 'unsubscribed', 'error', 'snapshot']);

function parse(m: Record<string, unknown>, id: number): Notification | null {
  const type = str(m.type);
  if (CONTROL.has(type)) return null;
  const title = typeof m.title === 'string' ? m.title.trim() : '';
  if (!title) return null;
  return {
    id, kind: str(m.kind) || type, title, detail: str(m.detail), ref: str(m.ref), link: str(m.link),
    ts: typeof m.ts === 'number' && Number.isFinite(m.ts) ? m.ts : 0, read: false,
  };
}

function add(s: NotificationsState, n: Notification): boolean {
  if (s.items.some((x) => x.kind === n.kind && x.ref === n.ref && x.ts === n.ts && x.title === n.title)) return false;
  s.nextId += 1;
  s.items.unshift(n);
  return true;
}

function trim(s: NotificationsState) {
  const dropped = s.items.splice(MAX_NOTIFICATIONS);
  s.unread = s.items.filter((x) => !x.read).length;
  if (s.toasts.length > MAX_TOASTS) s.toasts.splice(0, s.toasts.length - MAX_TOASTS);
  if (dropped.length) {
    const gone = new Set(dropped.map((x) => x.id));
    s.toasts = s.toasts.filter((id) => !gone.has(id));
  }
}

const slice = createSlice({
  name: 'notifications',
  initialState: initialNotifications,
  reducers: {
    notificationReceived(s, a: PayloadAction<Record<string, unknown>>) {
      const n = parse(a.payload, s.nextId);
      if (!n || !add(s, n)) return;
      s.toasts.push(n.id);
      trim(s);
    },
    /** History from GET /api/v1/notifications (oldest first): items without toasts. */
    historyLoaded(s, a: PayloadAction<Record<string, unknown>[]>) {
      for (const m of a.payload) {
        const n = parse(m, s.nextId);
        if (n) add(s, n);
      }
      s.items.sort((x, y) => y.ts - x.ts || y.id - x.id);
      trim(s);
    },
    toastDismissed(s, a: PayloadAction<number>) {
      s.toasts = s.toasts.filter((id) => id !== a.payload);
    },
    allRead(s) {
      for (const x of s.items) x.read = true;
      s.unread = 0;
    },
    notificationsCleared() {
      return initialNotifications;
    },
  },
});

export const { notificationReceived, historyLoaded, toastDismissed, allRead, notificationsCleared } = slice.actions;
export default slice.reducer;
