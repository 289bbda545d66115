// RTK Query endpoints for privacy (README "Privacy"): download my data, consents, erase my
// account. Injected into the shared api (cache, token refresh).
import { api } from './api';

export interface Consent { purpose: string; granted: boolean; policy_version: string; recorded_us: number }
export interface ConsentList { items: Consent[]; current: Record<string, Consent> }
export interface ConsentRequest { purpose: string; granted: boolean; policy_version: string }
export interface EraseRequest { password?: string; otp?: string }
export interface EraseResult { status: 'erased'; user: number }
/** The export is one JSON document; its parts are listed in EXPORT_PARTS (privacyLogic.ts). */
export type DataExport = Record<string, unknown> & { profile: { id: number; email: string; display_name: string } };

const privacyApi = api.enhanceEndpoints({ addTagTypes: ['Consent'] }).injectEndpoints({
  endpoints: (b) => ({
    consents: b.query<ConsentList, void>({ query: () => '/me/consents', providesTags: ['Consent'] }),
    recordConsent: b.mutation<ConsentList, ConsentRequest>({
      query: (body) => ({ url: '/me/consents', method: 'POST', body }),
      invalidatesTags: ['Consent'],
    }),
    // Fetched on demand (lazy) and never cached: it holds everything about the user.
    dataExport: b.query<DataExport, void>({ query: () => '/me/export', keepUnusedDataFor: 0 }),
    eraseAccount: b.mutation<EraseResult, EraseRequest>({ query: (body) => ({ url: '/me/erase', method: 'POST', body }) }),
  }),
});

export const { useConsentsQuery, useRecordConsentMutation, useLazyDataExportQuery, useEraseAccountMutation } = privacyApi;
