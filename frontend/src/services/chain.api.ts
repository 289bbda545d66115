// RTK Query endpoints for the chain (issue 9; contract: the REST part of the chain work,
// README "Blockchain"): status of the chain connection, mirrored batches, withdrawals to a
// wallet, deposits back, verifier approvals (EIP-712), anchors of journal blocks, the
// on-chain venue (CarbonMarket listings and fills) and on-chain retirements. Injected into
// the shared api (same cache, same token refresh). Quantities are decimal tonnes strings;
// token ids and on-chain prices are decimal strings (they may exceed 2^53).
import { api } from './api';
import type { TypedData } from '../utils/chain';

export interface ChainContracts {
  VerificationRegistry?: string; CarbonCreditToken?: string; CarbonMarket?: string; JournalAnchor?: string;
  RetirementCertificate?: string; PaymentToken?: string;
}
export interface ChainStatus {
  enabled: boolean; network?: string; chain_id?: number; rpc_url?: string; head?: number; lag_blocks?: number; confirmations?: number;
  operator?: string; contracts?: ChainContracts;
  explorer?: string;  // the network's block explorer base URL, when the server names one
}
export interface ChainBatch {
  batch: number; token_id: string; minted_kg: number; custody_kg: number; status: string;
  issuance?: number; amount_kg?: number; on_chain_kg?: number; signatures?: number; threshold?: number; metadata_uri?: string;
}
export type ChainWithdrawalStatus = 'requested' | 'sent' | 'confirmed' | 'failed' | 'released';
export interface ChainWithdrawal {
  id: number; batch: number; token_id: string; quantity: string; to: string; status: ChainWithdrawalStatus | string; tx_hash: string | null;
  nonce: string | number | null; created_ts: number;
}
export interface DepositAddress { market: string; account_ref: string }
export interface ChainDeposit {
  tx_hash: string; log_index: number; block_number: number; batch: number; token_id: string; quantity: string; from: string;
  status: 'seen' | 'credited' | 'reorged' | string; confirmations: number;
}
export interface ChainApproval {
  issuance: number; typed_data: TypedData; threshold: number; signatures: { verifier: number; address: string }[]; status: string;
}
export interface Anchor { height: number; root: string; first_seq: number; last_seq: number; tx_hash: string | null; block_number: number | null; status: string }
export interface ChainListing {
  listing_id: string | number; seller: string; token_id: string; batch: number | null; quantity: string; unit_price: string; min_fill: string;
  deadline: number; remaining: string; status: string;
}
export interface ChainFill { listing_id: string | number; buyer: string; quantity: string; cost: string; fee: string; tx_hash: string; block_number: number; ts: number }
export interface ChainRetirement {
  retirement_id: string | number; holder: string; batch: number | null; token_id: string; quantity: string; beneficiary: string; reason: string;
  tx_hash: string; certificate_token_id: string;
}
interface Items<T> { items: T[] }

export const CHAIN_TAGS = ['ChainStatus', 'ChainBatch', 'ChainWithdrawal', 'ChainDeposit', 'ChainApproval', 'Anchor', 'ChainListing', 'ChainRetirement'] as const;

const chainApi = api.enhanceEndpoints({ addTagTypes: [...CHAIN_TAGS] }).injectEndpoints({
  endpoints: (b) => ({
    chainStatus: b.query<ChainStatus, void>({
      // A server built without the chain module has no such route: the same as "not enabled".
      queryFn: async (_a, _api, _x, base) => {
        const r = await base('/chain/status');
        if (r.error) return r.error.status === 404 ? { data: { enabled: false } } : { error: r.error };
        return { data: r.data as ChainStatus };
      },
      providesTags: ['ChainStatus'],
    }),
    chainBatches: b.query<ChainBatch[], void>({
      query: () => '/chain/batches', transformResponse: (r: Items<ChainBatch>) => r.items, providesTags: ['ChainBatch'],
    }),
    chainWithdrawals: b.query<ChainWithdrawal[], { all?: boolean } | void>({
      query: (a) => `/chain/withdrawals${a && a.all ? '?all=1' : ''}`,
      transformResponse: (r: Items<ChainWithdrawal>) => r.items, providesTags: ['ChainWithdrawal'],
    }),
    chainWithdraw: b.mutation<{ withdrawal: ChainWithdrawal }, { batch: number; quantity: string; to?: string }>({
      query: (body) => ({ url: '/chain/withdrawals', method: 'POST', body }),
      invalidatesTags: ['ChainWithdrawal', 'ChainBatch', 'Holding'],
    }),
    depositAddress: b.query<DepositAddress, void>({ query: () => '/chain/deposit-address' }),
    chainDeposits: b.query<ChainDeposit[], void>({
      query: () => '/chain/deposits', transformResponse: (r: Items<ChainDeposit>) => r.items, providesTags: ['ChainDeposit'],
    }),
    chainApproval: b.query<ChainApproval, number>({
      query: (id) => `/chain/approvals/${id}`, providesTags: (_r, _e, id) => [{ type: 'ChainApproval', id }],
    }),
    submitChainApproval: b.mutation<{ signatures: ChainApproval['signatures']; status: string }, { issuance: number; signature: string }>({
      query: ({ issuance, signature }) => ({ url: `/chain/approvals/${issuance}`, method: 'POST', body: { signature } }),
      invalidatesTags: (_r, _e, a) => [{ type: 'ChainApproval', id: a.issuance }],
    }),
    anchors: b.query<Anchor[], void>({ query: () => '/chain/anchors', transformResponse: (r: Items<Anchor>) => r.items, providesTags: ['Anchor'] }),
    chainListings: b.query<ChainListing[], { status?: string } | void>({
      query: (a) => `/chain/market/listings${a && a.status ? `?status=${encodeURIComponent(a.status)}` : ''}`,
      transformResponse: (r: Items<ChainListing>) => r.items, providesTags: ['ChainListing'],
    }),
    chainFills: b.query<ChainFill[], void>({
      query: () => '/chain/market/fills', transformResponse: (r: Items<ChainFill>) => r.items, providesTags: ['ChainListing'],
    }),
    chainRetirements: b.query<ChainRetirement[], void>({
      query: () => '/chain/retirements', transformResponse: (r: Items<ChainRetirement>) => r.items, providesTags: ['ChainRetirement'],
    }),
  }),
});

export const {
  useChainStatusQuery, useChainBatchesQuery, useChainWithdrawalsQuery, useChainWithdrawMutation, useDepositAddressQuery,
  useChainDepositsQuery, useChainApprovalQuery, useSubmitChainApprovalMutation, useAnchorsQuery, useChainListingsQuery,
  useChainFillsQuery, useChainRetirementsQuery,
} = chainApi;
export { chainApi };
