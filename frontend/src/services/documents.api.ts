// RTK Query endpoints for documents, end-to-end encryption keys and envelopes, and the KYC
// API (contracts: README "Documents", backend/src/documents/README.md, KYC section of the
// HTTP API). Injected into the shared api so they share its cache and token refresh.
// Binary transfers (uploads with progress, ciphertext downloads) go through transfer.ts.
import { api, type Page } from './api';
import type { Envelope, PublicJwk, ReviewerKey } from '../utils/e2eEnvelope';

export interface DocumentInfo {
  cid: string; size: number; media_type: string; owner: string; private: boolean; end_to_end: boolean; created_unix: number; url: string;
}
export interface MyKey { user: number; kid: string; jwk: PublicJwk }
export type KycLevel = 'none' | 'pending' | 'basic' | 'full';
export interface KycCase {
  id: number; user: number; requested_level: 'basic' | 'full'; status: 'pending' | 'approved' | 'rejected'; country: string;
  documents: string[]; screening: { hit: boolean; matches: { name: string; list: string; score: number }[] };
  legal_name?: string; date_of_birth?: string; address?: string; reviewer: number | null; reason: string;
  created_ts: number; decided_ts: number | null; source: 'manual' | 'provider';
}
export interface KycMe { level: KycLevel; case: KycCase | null; limits: Record<string, unknown> }
export interface KycCaseRequest {
  requested_level: 'basic' | 'full'; legal_name: string; date_of_birth: string; country: string; address: string; documents: string[];
}
// `override`: approve despite a sanctions-screening hit (the reason must say why).
export interface KycDecision { id: number; decision: 'approve' | 'reject'; level?: 'basic' | 'full'; reason: string; override?: boolean }

const docApi = api.enhanceEndpoints({ addTagTypes: ['Document', 'EncKey', 'Kyc', 'Envelope'] }).injectEndpoints({
  endpoints: (b) => ({
    document: b.query<DocumentInfo, string>({ query: (cid) => `/documents/${cid}`, providesTags: (_r, _e, cid) => [{ type: 'Document', id: cid }] }),
    attachProjectDocument: b.mutation<unknown, { project: number; cid: string }>({
      query: ({ project, cid }) => ({ url: `/projects/${project}/documents`, method: 'POST', body: { cid } }),
      invalidatesTags: ['Project'],
    }),
    myEncryptionKey: b.query<MyKey | null, void>({
      // 404 = none registered yet: a normal answer here, not an error.
      queryFn: async (_a, _api, _x, base) => {
        const r = await base('/me/encryption-key');
        if (r.error) return r.error.status === 404 ? { data: null } : { error: r.error };
        return { data: r.data as MyKey };
      },
      providesTags: ['EncKey'],
    }),
    putEncryptionKey: b.mutation<MyKey, PublicJwk>({
      query: (jwk) => ({ url: '/me/encryption-key', method: 'PUT', body: { jwk } }),
      invalidatesTags: ['EncKey'],
    }),
    reviewerKeys: b.query<ReviewerKey[], void>({
      query: () => '/kyc/reviewer-keys',
      transformResponse: (r: { items: ReviewerKey[] }) => r.items,
      providesTags: ['EncKey'],
    }),
    envelope: b.query<Envelope, string>({ query: (cid) => `/documents/${cid}/envelope`, providesTags: (_r, _e, cid) => [{ type: 'Envelope', id: cid }] }),
    putEnvelope: b.mutation<Envelope, { cid: string; envelope: Envelope }>({
      query: ({ cid, envelope }) => ({ url: `/documents/${cid}/envelope`, method: 'PUT', body: envelope }),
      invalidatesTags: (_r, _e, a) => [{ type: 'Envelope', id: a.cid }],
    }),
    kycMe: b.query<KycMe, void>({ query: () => '/kyc/me', providesTags: ['Kyc'] }),
    submitKycCase: b.mutation<KycCase, KycCaseRequest>({
      query: (body) => ({ url: '/kyc/cases', method: 'POST', body }),
      invalidatesTags: ['Kyc'],
    }),
    kycCases: b.query<Page<KycCase>, { status?: string; page?: number; pageSize?: number }>({
      query: ({ status, page = 1, pageSize = 20 }) => `/kyc/cases?${status ? `status=${status}&` : ''}page=${page}&page_size=${pageSize}`,
      providesTags: ['Kyc'],
    }),
    decideKycCase: b.mutation<KycCase, KycDecision>({
      query: ({ id, ...body }) => ({ url: `/kyc/cases/${id}/decision`, method: 'POST', body }),
      invalidatesTags: ['Kyc'],
    }),
  }),
});

export const {
  useDocumentQuery, useAttachProjectDocumentMutation, useMyEncryptionKeyQuery, usePutEncryptionKeyMutation,
  useReviewerKeysQuery, useLazyReviewerKeysQuery, useLazyEnvelopeQuery, usePutEnvelopeMutation,
  useKycMeQuery, useSubmitKycCaseMutation, useKycCasesQuery, useDecideKycCaseMutation,
} = docApi;
