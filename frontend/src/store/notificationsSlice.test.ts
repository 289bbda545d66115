// The notifications reducer: valid messages become items and toasts, duplicates are kept
// once, bounds hold, reading and dismissing, sign-out clears; and the WebSocket service routes
// "notifications" messages into it.
import { describe, expect, it } from 'vitest';
import reducer, {
  allRead, historyLoaded, notificationsChannel, initialNotifications, isNotificationMessage, MAX_NOTIFICATIONS, MAX_TOASTS, notificationReceived, notificationsCleared, toastDismissed,
} from './notificationsSlice';
import { makeStore } from './index';
import { MarketSocket } from '../services/ws';

const msg = (i: number, extra: Record<string, unknown> = {}) => ({ channel: 'notifications', kind: 'chain.withdrawal', title: `Withdrawal ${i} confirmed`, detail: `${i}.000 t`, ref: `w${i}`, ts: 1000 + i, ...extra });

describe('notifications reducer', () => {
  it('adds a message newest first, unread, as a toast', () => {
    let s = reducer(initialNotifications, notificationReceived(msg(1)));
    s = reducer(s, notificationReceived(msg(2)));
    expect(s.items.map((x) => x.title)).toEqual(['Withdrawal 2 confirmed', 'Withdrawal 1 confirmed']);
    expect(s.items[0]).toMatchObject({ kind: 'chain.withdrawal', detail: '2.000 t', ref: 'w2', ts: 1002, read: false });
    expect(s.unread).toBe(2);
    expect(s.toasts).toEqual([s.items[1].id, s.items[0].id]);
  });
  it('ignores control messages, missing titles and duplicates; defaults missing fields', () => {
    let s = reducer(initialNotifications, notificationReceived({ channel: 'notifications', type: 'subscribed' }));
    s = reducer(s, notificationReceived({ channel: 'notifications', type: 'snapshot', title: 'x' }));
    s = reducer(s, notificationReceived({ channel: 'notifications', title: '   ' }));
    s = reducer(s, notificationReceived({ channel: 'notifications', title: 42 }));
    expect(s).toEqual(initialNotifications);
    s = reducer(s, notificationReceived(msg(1)));
    s = reducer(s, notificationReceived(msg(1)));
    expect(s.items).toHaveLength(1);
    s = reducer(s, notificationReceived({ title: 'Bare' }));
    expect(s.items[0]).toMatchObject({ title: 'Bare', kind: '', detail: '', ref: '', ts: 0 });
  });
  it('keeps at most MAX_NOTIFICATIONS items and MAX_TOASTS toasts', () => {
    let s = initialNotifications;
    for (let i = 0; i < MAX_NOTIFICATIONS + 7; i++) s = reducer(s, notificationReceived(msg(i)));
    expect(s.items).toHaveLength(MAX_NOTIFICATIONS);
    expect(s.items[0].title).toBe(`Withdrawal ${MAX_NOTIFICATIONS + 6} confirmed`);
    expect(s.toasts).toHaveLength(MAX_TOASTS);
    expect(s.toasts.every((id) => s.items.some((x) => x.id === id))).toBe(true);
    expect(s.unread).toBe(MAX_NOTIFICATIONS);
  });
  it('marks read, dismisses toasts, clears on sign-out', () => {
    let s = reducer(initialNotifications, notificationReceived(msg(1)));
    s = reducer(s, notificationReceived(msg(2)));
    s = reducer(s, toastDismissed(s.items[0].id));
    expect(s.toasts).toEqual([s.items[1].id]);
    s = reducer(s, allRead());
    expect(s.unread).toBe(0);
    expect(s.items.every((x) => x.read)).toBe(true);
    s = reducer(s, notificationReceived(msg(3)));
    expect(s.unread).toBe(1);
    expect(reducer(s, notificationsCleared())).toEqual(initialNotifications);
  });
  it('recognises the channel', () => {
    expect(isNotificationMessage({ channel: 'notifications' })).toBe(true);
    expect(isNotificationMessage({ channel: 'notifications:7' })).toBe(true);
    expect(isNotificationMessage({ channel: 'orders:7' })).toBe(false);
    expect(isNotificationMessage(null)).toBe(false);
  });
  it('reads the server shape: type as the kind, link, ts in microseconds', () => {
    const server = { channel: 'notifications:7', seq: 3, type: 'order.filled', ts: 1750000000000000, title: 'Order filled: Bought 1.000 t FOREST24',
      detail: '1.000 t at 12.50 USD/t', ref: 'fill:4', link: '/markets/1', data: { fill: '4' } };
    const s = reducer(initialNotifications, notificationReceived(server));
    expect(s.items[0]).toMatchObject({ kind: 'order.filled', link: '/markets/1', ref: 'fill:4', ts: 1750000000000000 });
    expect(notificationsChannel(7)).toBe('notifications:7');
  });
  it('history fills the bell without toasts and merges with live messages', () => {
    const h = [1, 2, 3].map((i) => ({ channel: 'notifications:7', seq: i, type: 'order.filled', title: `F${i}`, ref: `fill:${i}`, ts: 100 + i }));
    let s = reducer(initialNotifications, notificationReceived(h[2]));  // live first
    s = reducer(s, historyLoaded([...h, { type: 'snapshot', title: 'x' }]));
    expect(s.items.map((x) => x.title)).toEqual(['F3', 'F2', 'F1']);
    expect(s.toasts).toHaveLength(1);
    expect(s.unread).toBe(3);
  });
  it('the socket service feeds the store', () => {
    const store = makeStore();
    const sock = new MarketSocket(store as never, { WebSocketImpl: undefined });
    sock.handle(JSON.stringify(msg(5)));
    sock.handle(JSON.stringify({ channel: 'trades:1', type: 'trade', seq: 1 }));
    sock.handle(JSON.stringify({ channel: 'notifications:3', type: 'snapshot', seq: 0 }));
    sock.handle('not json');
    expect(store.getState().notifications.items.map((x) => x.title)).toEqual(['Withdrawal 5 confirmed']);
  });
});
