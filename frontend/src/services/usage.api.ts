// First-party usage analytics (README "Operations"): the web app reports the NAME of each
// route it shows ("/markets/:id"), nothing else -- no query string, no ids, no user, no
// third-party tracker. POST /usage/page; admins read the counts at GET /admin/usage.
import { useEffect } from 'react';
import { api } from './api';

export interface UsageCount { route: string; count: number }
export interface Usage { since: string; pages: UsageCount[]; api: UsageCount[] }

const usageApi = api.injectEndpoints({
  endpoints: (b) => ({
    postPageView: b.mutation<void, { route: string }>({
      query: (body) => ({ url: '/usage/page', method: 'POST', body }),
    }),
    getUsage: b.query<Usage, void>({ query: () => '/admin/usage' }),
  }),
});

export const { usePostPageViewMutation, useGetUsageQuery } = usageApi;

// "/markets/12" -> "/markets/:id": numeric and long opaque segments become ":id", so a
// route name never carries an identifier.
export function routeName(pathname: string): string {
  const segs = pathname.split('/').map((s) => (/^\d+$/.test(s) || /^[0-9a-zA-Z_-]{16,}$/.test(s) ? ':id' : s));
  const name = segs.join('/').replace(/[^A-Za-z0-9/_:.-]/g, '').slice(0, 100);
  return name.startsWith('/') ? name : '/' + name;
}

// Posts one page view per route change (best effort: failures are ignored).
export function usePageViews(pathname: string): void {
  const [post] = usePostPageViewMutation();
  useEffect(() => {
    post({ route: routeName(pathname) }).catch(() => undefined);
  }, [pathname, post]);
}
