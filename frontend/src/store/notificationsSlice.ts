// Notifications for the signed-in user: messages of the private WebSocket channel
// "notifications" ({channel, kind, title, detail, ref, ts}: chain events and the exchange's
// own events). Contract:
// - a message without a non-empty string `title` is ignored; `kind`, `detail`, `ref` default to '';
//   the same (kind, ref, ts, title) twice is kept once (a resubscribe may replay).
// - `items` newest first, at most MAX_NOTIFICATIONS; `unread` counts items not yet seen;
//   `toasts` lists the ids shown as toasts (at most MAX_TOASTS, the oldest dropped).
// - sign-out clears everything. Pure reducers; no I/O, no clock (ts comes from the server,
//   ids are a counter).
import { createSlice, type PayloadAction } from '@reduxjs/toolkit';

export interface Notification { id: number; kind: string; title: string; detail: string; ref: string; ts: number; read: boolean }
export interface NotificationsState { items: Notification[]; toasts: number[]; unread: number; nextId: number }

export const MAX_NOTIFICATIONS = 50;
export const MAX_TOASTS = 3;
export const NOTIFICATIONS_CHANNEL = 'notifications';

export const initialNotifications: NotificationsState = { items: [], toasts: [], unread: 0, nextId: 1 };

/** Is this WebSocket message a notification (channel "notifications" or "notifications:<user>")? */
export function isNotificationMessage(m: unknown): boolean {
  const ch = (m as { channel?: unknown } | null)?.channel;
  return typeof ch === 'string' && (ch === NOTIFICATIONS_CHANNEL || ch.startsWith(`${NOTIFICATIONS_CHANNEL}:`));
}

const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

const slice = createSlice({
  name: 'notifications',
  initialState: initialNotifications,
  reducers: {
    notificationReceived(s, a: PayloadAction<Record<string, unknown>>) {
      const m = a.payload;
      const type = str(m.type);
      if (type === 'subscribed' || type === 'unsubscribed' || type === 'error' || type === 'snapshot') return;
      const title = typeof m.title === 'string' ? m.title.trim() : '';
      if (!title) return;
      const n: Notification = {
        id: s.nextId, kind: str(m.kind), title, detail: str(m.detail), ref: str(m.ref),
        ts: typeof m.ts === 'number' && Number.isFinite(m.ts) ? m.ts : 0, read: false,
      };
      if (s.items.some((x) => x.kind === n.kind && x.ref === n.ref && x.ts === n.ts && x.title === n.title)) return;
      s.nextId += 1;
      s.items.unshift(n);
      const dropped = s.items.splice(MAX_NOTIFICATIONS);
      s.unread = s.items.filter((x) => !x.read).length;
      s.toasts.push(n.id);
      if (s.toasts.length > MAX_TOASTS) s.toasts.splice(0, s.toasts.length - MAX_TOASTS);
      if (dropped.length) {
        const gone = new Set(dropped.map((x) => x.id));
        s.toasts = s.toasts.filter((id) => !gone.has(id));
      }
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

export const { notificationReceived, toastDismissed, allRead, notificationsCleared } = slice.actions;
export default slice.reducer;
