// RTK Query client for the carbonx REST API (/api/v1, see README "HTTP API").
// Quantities are decimal strings plus integer *_kg fields; they are never parsed to floats.
import { createApi } from '@reduxjs/toolkit/query/react';
import { makeBaseQuery } from './reauth';
import type { TokenPair, User } from '../store/authSlice';

export interface Page<T> { items: T[]; total: number; page: number; page_size: number }
export interface CreditClass { id: number; code: string; standard: string; name: string; required_approvals: number; buffer_bp: number }
export interface Project {
  id: number; developer: number; status: string; status_reason: string; validator: number; name: string; description: string;
  developer_name: string; country: string; subdivision: string; sector: string; project_type: string; methodology: string;
  mitigation: string; nature: string; origin_registry: string; origin_id: string; credit_class: number; website: string;
  crediting_start: string; crediting_end: string; corsia: string; created_ts: number; updated_ts: number;
  issued: string; issued_kg: number; retired: string; retired_kg: number;
}
export interface Issuance {
  id: number; project: number; project_name: string; requested_by: number; vintage: number; period_start: string; period_end: string;
  quantity: string; quantity_kg: number; verification_body: string; report: string; status: string; approvals: number[];
  required_approvals: number; rejected_by: number; reason: string; batch: number; created_ts: number;
}
export interface Batch {
  id: number; project: number; project_name: string; country: string; methodology: string; issuance: number; vintage: number;
  serial: string; serial_space: string; serial_start: number; serial_end: number; quantity: string; quantity_kg: number;
  buffer: string; buffer_kg: number; retired: string; retired_kg: number; cancelled: string; cancelled_kg: number;
  corsia: string; corresponding_adjustment: string; origin_registry: string; issued_ts: number;
}
export interface ProjectDetail extends Project { issuances: Issuance[]; batches: Batch[] }
export interface SerialRange { kg_from: number; kg_to: number; serials: string }
export interface Holding {
  batch: number; vintage: number; serial: string; project_name: string; tradable_serials: SerialRange[]; escrowed_serials: SerialRange[];
  tradable: string; tradable_kg: number; escrowed: string; escrowed_kg: number; retired: string; retired_kg: number;
}
export interface Retirement {
  id: number; account: number; batch: number; quantity: string; quantity_kg: number; beneficiary: string; reason: string; country: string;
  period_start: string; period_end: string; origin_serial: string; seq: number; ts: number; serials: SerialRange[]; batch_serial: string;
  vintage: number; project: number; project_name: string; project_country: string; methodology: string; origin_registry: string;
}
export interface Proof {
  seq: number; ts: number; type: string; prev_hash: string; event_hash: string; status: string; proof: string[];
  block?: { height: number; first_seq: number; last_seq: number; root: string; prev_header: string; header_hash: string; sealed_ts: number };
}
export interface Certificate { certificate: string; retirement: Retirement; proof: Proof; how_to_verify?: unknown }

type Params = Record<string, string | number | undefined>;
const qs = (p: Params) => {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(p)) if (v !== undefined && v !== '') u.set(k, String(v));
  const s = u.toString();
  return s ? `?${s}` : '';
};

export const api = createApi({
  reducerPath: 'api',
  baseQuery: makeBaseQuery(),
  tagTypes: ['Project', 'Issuance', 'Holding', 'User', 'Class', 'Retirement'],
  endpoints: (b) => ({
    login: b.mutation<TokenPair, { email: string; password: string }>({ query: (body) => ({ url: '/auth/login', method: 'POST', body }) }),
    register: b.mutation<User, { email: string; password: string; display_name?: string; roles: string[] }>({
      query: (body) => ({ url: '/auth/register', method: 'POST', body }),
    }),
    logout: b.mutation<unknown, { refresh_token: string }>({ query: (body) => ({ url: '/auth/logout', method: 'POST', body }) }),
    me: b.query<User, void>({ query: () => '/me', providesTags: ['User'] }),

    users: b.query<Page<User>, Params>({ query: (p) => `/users${qs(p)}`, providesTags: ['User'] }),
    setRoles: b.mutation<User, { id: number; roles: string[] }>({
      query: ({ id, roles }) => ({ url: `/users/${id}/roles`, method: 'PUT', body: { roles } }), invalidatesTags: ['User'],
    }),
    creditClasses: b.query<{ items: CreditClass[] }, void>({ query: () => '/credit-classes', providesTags: ['Class'] }),
    createCreditClass: b.mutation<CreditClass, Partial<CreditClass>>({
      query: (body) => ({ url: '/credit-classes', method: 'POST', body }), invalidatesTags: ['Class'],
    }),

    projects: b.query<Page<Project>, Params>({ query: (p) => `/projects${qs(p)}`, providesTags: ['Project'] }),
    project: b.query<ProjectDetail, number>({ query: (id) => `/projects/${id}`, providesTags: ['Project', 'Issuance'] }),
    createProject: b.mutation<Project, Record<string, unknown>>({
      query: (body) => ({ url: '/projects', method: 'POST', body }), invalidatesTags: ['Project'],
    }),
    projectAction: b.mutation<Project, { id: number; action: 'submit' | 'validate' | 'request-changes' | 'reject'; reason?: string }>({
      query: ({ id, action, reason }) => ({ url: `/projects/${id}/${action}`, method: 'POST', body: reason !== undefined ? { reason } : {} }),
      invalidatesTags: ['Project'],
    }),

    issuances: b.query<Page<Issuance>, Params>({ query: (p) => `/issuances${qs(p)}`, providesTags: ['Issuance'] }),
    requestIssuance: b.mutation<Issuance, Record<string, unknown>>({
      query: (body) => ({ url: '/issuances', method: 'POST', body }), invalidatesTags: ['Issuance', 'Project'],
    }),
    issuanceAction: b.mutation<Issuance, { id: number; action: 'approve' | 'reject'; reason?: string }>({
      query: ({ id, action, reason }) => ({ url: `/issuances/${id}/${action}`, method: 'POST', body: reason !== undefined ? { reason } : {} }),
      invalidatesTags: ['Issuance', 'Project', 'Holding'],
    }),

    batches: b.query<Page<Batch>, Params>({ query: (p) => `/batches${qs(p)}` }),
    holdings: b.query<{ account: number; items: Holding[] }, number>({ query: (acct) => `/accounts/${acct}/holdings`, providesTags: ['Holding'] }),
    transfer: b.mutation<unknown, { to_account: number; batch: number; quantity: string }>({
      query: (body) => ({ url: '/transfers', method: 'POST', body }), invalidatesTags: ['Holding'],
    }),
    retire: b.mutation<Retirement, Record<string, unknown>>({
      query: (body) => ({ url: '/retirements', method: 'POST', body }), invalidatesTags: ['Holding', 'Retirement'],
    }),
    retirements: b.query<Page<Retirement>, Params>({ query: (p) => `/retirements${qs(p)}`, providesTags: ['Retirement'] }),
    certificate: b.query<Certificate, number>({ query: (id) => `/retirements/${id}/certificate` }),
  }),
});

export const {
  useLoginMutation, useRegisterMutation, useLogoutMutation, useMeQuery, useUsersQuery, useSetRolesMutation,
  useCreditClassesQuery, useCreateCreditClassMutation, useProjectsQuery, useProjectQuery, useCreateProjectMutation,
  useProjectActionMutation, useIssuancesQuery, useRequestIssuanceMutation, useIssuanceActionMutation, useBatchesQuery,
  useHoldingsQuery, useTransferMutation, useRetireMutation, useRetirementsQuery, useCertificateQuery,
} = api;
