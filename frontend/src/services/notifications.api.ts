// GET /api/v1/notifications: the signed-in user's recent notifications (the server keeps the
// last 200 per user, rebuilt from the journal on restart), so the bell fills on page load;
// live ones arrive on the WebSocket channel notifications:<user id>.
import { api } from './api';

export interface NotificationsPage { channel: string; seq: number; items: Record<string, unknown>[] }

const notificationsApi = api.injectEndpoints({
  endpoints: (b) => ({
    recentNotifications: b.query<NotificationsPage, { limit?: number } | void>({
      query: (p) => `/notifications?limit=${(p && p.limit) || 50}`,
      keepUnusedDataFor: 0,
    }),
  }),
});

export const { useRecentNotificationsQuery } = notificationsApi;
