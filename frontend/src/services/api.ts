// RTK Query client for the carbonx REST API (/api/v1, see README "HTTP API").
// Quantities are decimal strings plus integer *_kg fields; they are never parsed to floats.
import { createApi } from '@reduxjs/toolkit/query/react';
import { makeBaseQuery } from './reauth';
import type { TokenPair, User } from '../store/authSlice';
import type { Fill, Order, Stats, Trade, Candle } from '../store/marketSlice';

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
export interface Criteria {
  standards: string[]; methodologies: string[]; countries: string[]; vintage_from: number | null; vintage_to: number | null;
  mitigation: string; nature: string; corsia: string; corresponding_adjustment: string;
}
export interface Instrument {
  id: number; symbol: string; kind: 'batch' | 'contract'; batch?: number; vintage?: number; project?: number; project_name?: string;
  country?: string; criteria?: Criteria; currency: string; tick: string; tick_minor: number; lot: string; lot_kg: number;
  maker_fee_bp: number; taker_fee_bp: number; band_bp: number; halt_bp: number; phase: string; phase_reason: string;
  auction_end_us: number | null; reference_price: string | null; best_bid: string | null; best_ask: string | null; created_us: number;
}
export interface AuctionItem extends Instrument {
  indicative: { price: string | null; volume: string; imbalance?: string; imbalance_side?: string }; collected_orders: number;
}
export interface CashBalance { currency: string; available: string; locked: string; available_minor: number; locked_minor: number }
export interface OrderRequest {
  instrument: number; side: 'buy' | 'sell'; type: string; quantity: string; price?: string; stop_price?: string; time_in_force?: string;
  expire_at?: number; post_only?: boolean; display_quantity?: string; min_quantity?: string; stp?: string; batch?: number; client_order_id?: string;
}
export type OrderReply = Order & { fills: Fill[] };
/** A held batch with what eligibility for a standard contract needs. */
export interface BatchDetail { batch: Batch; project: Project | null; classCode: string | null }
export interface Certificate { certificate: string; retirement: Retirement; proof: Proof; how_to_verify?: unknown }

// Analytics (/ml/*). Model outputs are statistical estimates and arrive as JSON numbers (drawn
// and rounded for display); portfolio values and VaR/ES are money: decimal strings + *_minor.
export interface MlSeries { kind: 'reference' | 'instrument'; instrument?: number; name: string; currency?: string; days: number; from?: string; to?: string; last?: number }
export interface MlStatus {
  model: { status: 'ready' | 'training' | 'failed' | 'unavailable'; detail: string; dir?: string; meta?: Record<string, string>; models?: string[];
    backtest_mase?: Record<string, Record<string, number>> };
  reference: (MlSeries & { file?: string; column?: string }) | Record<string, never>;
}
export interface MlHorizon {
  horizon: number; naive: number; forecast: number; interval: { level: number; lo: number; hi: number };
  by_model: Record<string, number>; backtest_mase: number; beats_naive: boolean;
}
export interface MlForecast { series: MlSeries; model: string; sigma_daily: number; horizons: MlHorizon[]; verdict: string }
export interface MlVolatility {
  series: MlSeries;
  per_day: { ewma: number; garch_next: number; garch_5: number; garch_20: number; realized_20: number };
  annualised: { ewma: number; garch_next: number; garch_5: number; garch_20: number; realized_20: number };
  garch: { omega: number; alpha: number; beta: number; persistence: number; nu: number | null; innovations: string; unconditional_vol: number; log_likelihood: number };
  history: { date: string; return: number; ewma: number; garch: number; realized_20: number | null }[];
}
export interface MlLiquidity {
  best_bid: string | null; best_ask: string | null; spread_bps: number | null; depth_bid: string; depth_ask: string; depth_band: string;
  turnover_24h: string; volume_24h: string; trades_24h: number; currency: string;
}
export interface MlTrend {
  series: MlSeries;
  trend: { regime: 'up' | 'down' | 'sideways' | 'unknown'; momentum_20: number | null; momentum_60: number | null; drawdown: number; max_drawdown: number;
    realized_vol_20: number | null; rule?: string } | null;
  liquidity?: MlLiquidity; note?: string;
  history?: { date: string; price: number; index: number; ma20: number | null; ma50: number | null; regime: string; drawdown: number }[];
}
export interface RiskFactor { name: string; points: number; max_points: number; detail: string }
export interface MlProjectRisk {
  project: { id: number; name: string; country: string; methodology: string }; score: number; band: 'low' | 'medium' | 'high' | 'severe';
  factors: RiskFactor[]; inputs: Record<string, unknown>; notes?: string[];
}
export interface MlPosition { batch: number; instrument: number; symbol: string; quantity: string; price: string; value: string; own_history_days: number }
export interface MlPortfolioRisk {
  account: number; currency: string; value: string; value_minor: number; level: number; horizon_days: number;
  var_historical: string; es_historical: string; var_parametric: string; es_parametric: string; volatility_daily: number;
  returns_source: string; returns?: number; positions: MlPosition[]; method?: string;
  unpriced_batches?: number[]; other_currency_batches?: number[];
}
export interface MlAlert {
  kind: string; trade?: number; order?: number; batches?: number[]; accounts: number[]; users: { account: number; user: number; email: string }[];
  score: number; evidence: string;
}
export interface MlAlerts { summary: { orders?: number; trades?: number; accounts?: number; batches?: number; by_kind: Record<string, number>; [k: string]: unknown }; items: MlAlert[]; total: number }
// Second factor, wallet sign-in and withdrawals (README "Second factor", "Sign-In with Ethereum", "Withdrawals").
export interface MfaStatus { enabled: boolean; enrollment_pending: boolean; recovery_codes_left: number }
export interface MfaEnrollment { secret: string; otpauth_uri: string; qr_svg: string; qr_png_url: string }
export interface SiweNonceReply { nonce: string; domain: string; chain_id: number; statement: string; expires_in: number }
export type SiweTokenPair = TokenPair & { wallet: string };
export interface Withdrawal {
  id: number; account: number; currency: string; amount: string; amount_minor: number; reference: string;
  status: 'pending' | 'approved' | 'rejected'; reason: string; requested_by: number; decided_by: number; created_us: number; decided_us: number;
}
export interface AuditEntry { seq: number; ts_us: number; user: number; actor: number; kind: string; detail: string; ip: string }

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
  tagTypes: ['Project', 'Issuance', 'Holding', 'User', 'Class', 'Retirement', 'Order', 'Fill', 'Cash', 'Instrument', 'Auction', 'Mfa', 'Withdrawal'],
  endpoints: (b) => ({
    login: b.mutation<TokenPair, { email: string; password: string; otp?: string; recovery_code?: string }>({ query: (body) => ({ url: '/auth/login', method: 'POST', body }) }),
    register: b.mutation<User, { email: string; password: string; display_name?: string; roles: string[] }>({
      query: (body) => ({ url: '/auth/register', method: 'POST', body }),
    }),
    logout: b.mutation<unknown, { refresh_token: string }>({ query: (body) => ({ url: '/auth/logout', method: 'POST', body }) }),
    me: b.query<User, void>({ query: () => '/me', providesTags: ['User'] }),

    mfaStatus: b.query<MfaStatus, void>({ query: () => '/auth/mfa', providesTags: ['Mfa'] }),
    mfaEnroll: b.mutation<MfaEnrollment, void>({ query: () => ({ url: '/auth/mfa/enroll', method: 'POST', body: {} }), invalidatesTags: ['Mfa'] }),
    // The pending enrollment's QR code as SVG text (after a reload the secret is not shown again).
    mfaQrSvg: b.query<string, void>({ query: () => ({ url: '/auth/mfa/qr?format=svg', responseHandler: (r: Response) => (r.ok ? r.text() : r.json()) }), providesTags: ['Mfa'] }),
    mfaConfirm: b.mutation<{ enabled: boolean; recovery_codes: string[] }, { code: string }>({
      query: (body) => ({ url: '/auth/mfa/confirm', method: 'POST', body }), invalidatesTags: ['Mfa'],
    }),
    mfaDisable: b.mutation<{ enabled: boolean }, { code?: string; recovery_code?: string }>({
      query: (body) => ({ url: '/auth/mfa/disable', method: 'POST', body }), invalidatesTags: ['Mfa'],
    }),
    siweNonce: b.mutation<SiweNonceReply, void>({ query: () => ({ url: '/auth/siwe/nonce', method: 'GET' }) }),
    siweLogin: b.mutation<SiweTokenPair, { message: string; signature: string; signup?: boolean; otp?: string; display_name?: string }>({
      query: (body) => ({ url: '/auth/siwe', method: 'POST', body }),
    }),
    siweLink: b.mutation<{ wallets: string[] }, { message: string; signature: string }>({
      query: (body) => ({ url: '/auth/siwe/link', method: 'POST', body }),
    }),
    withdrawals: b.query<Page<Withdrawal>, Params>({ query: (p) => `/cash/withdrawals${qs(p)}`, providesTags: ['Withdrawal'] }),
    requestWithdrawal: b.mutation<Withdrawal, { currency: string; amount: string; reference?: string }>({
      query: (body) => ({ url: '/cash/withdrawals', method: 'POST', body }), invalidatesTags: ['Withdrawal', 'Cash'],
    }),
    decideWithdrawal: b.mutation<Withdrawal, { id: number; action: 'approve'; otp: string } | { id: number; action: 'reject'; reason: string }>({
      query: ({ id, action, ...body }) => ({ url: `/cash/withdrawals/${id}/${action}`, method: 'POST', body }), invalidatesTags: ['Withdrawal', 'Cash'],
    }),

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

    // Exchange.
    instruments: b.query<{ items: Instrument[] }, void>({ query: () => '/instruments', providesTags: ['Instrument'] }),
    instrument: b.query<Instrument, number>({ query: (id) => `/instruments/${id}`, providesTags: ['Instrument'] }),
    setPhase: b.mutation<Instrument, { id: number; action: 'halt' | 'resume'; reason?: string; reopen_seconds?: number }>({
      query: ({ id, action, ...body }) => ({ url: `/instruments/${id}/${action}`, method: 'POST', body }), invalidatesTags: ['Instrument', 'Auction', 'Mfa', 'Withdrawal'],
    }),
    marketStats: b.query<Stats, number>({ query: (id) => `/markets/${id}/stats` }),
    marketTrades: b.query<{ instrument: number; trades: Trade[] }, number>({ query: (id) => `/markets/${id}/trades?limit=50` }),
    marketCandles: b.query<{ instrument: number; interval: string; candles: Candle[] }, { id: number; interval: string }>({
      query: ({ id, interval }) => `/markets/${id}/candles?interval=${interval}`,
    }),
    orders: b.query<Page<Order>, Params>({ query: (p) => `/orders${qs(p)}`, providesTags: ['Order'] }),
    placeOrder: b.mutation<OrderReply, OrderRequest>({
      query: (body) => ({ url: '/orders', method: 'POST', body }), invalidatesTags: ['Order', 'Fill', 'Cash', 'Holding'],
    }),
    cancelOrder: b.mutation<OrderReply, number>({
      query: (id) => ({ url: `/orders/${id}`, method: 'DELETE' }), invalidatesTags: ['Order', 'Cash', 'Holding'],
    }),
    replaceOrder: b.mutation<OrderReply, { id: number; price: string; quantity: string }>({
      query: ({ id, ...body }) => ({ url: `/orders/${id}/replace`, method: 'POST', body }), invalidatesTags: ['Order', 'Fill', 'Cash', 'Holding'],
    }),
    massCancel: b.mutation<{ cancelled: number }, number | undefined>({
      query: (inst) => ({ url: `/orders${inst ? `?instrument=${inst}` : ''}`, method: 'DELETE' }), invalidatesTags: ['Order', 'Cash', 'Holding'],
    }),
    fills: b.query<Page<Fill>, Params>({ query: (p) => `/fills${qs(p)}`, providesTags: ['Fill'] }),
    cash: b.query<{ account: number; balances: CashBalance[] }, number>({ query: (acct) => `/accounts/${acct}/cash`, providesTags: ['Cash'] }),
    batch: b.query<Batch, number>({ query: (id) => `/batches/${id}` }),
    batchDetails: b.query<BatchDetail[], number[]>({
      // The held batches with their project and credit class, for contract eligibility.
      async queryFn(ids, _api, _extra, base) {
        const classes = await base('/credit-classes');
        const codes = new Map<number, string>();
        for (const c of ((classes.data as { items?: CreditClass[] } | undefined)?.items ?? [])) codes.set(c.id, c.code);
        const out: BatchDetail[] = [];
        for (const id of ids) {
          const b = await base(`/batches/${id}`);
          if (b.error) return { error: b.error };
          const batch = b.data as Batch;
          const p = batch.project ? await base(`/projects/${batch.project}`) : null;
          const project = (p?.data as Project | undefined) ?? null;
          out.push({ batch, project, classCode: project ? codes.get(project.credit_class) ?? null : null });
        }
        return { data: out };
      },
    }),
    auctions: b.query<{ items: AuctionItem[] }, void>({ query: () => '/auctions', providesTags: ['Auction'] }),
    startAuction: b.mutation<Instrument, { instrument: number; quantity: string; reserve_price: string; end_at: number }>({
      query: (body) => ({ url: '/auctions', method: 'POST', body }), invalidatesTags: ['Auction', 'Instrument', 'Holding'],
    }),
    listInstrument: b.mutation<Instrument, { batch: number; symbol?: string; reference_price?: string }>({
      query: (body) => ({ url: '/instruments', method: 'POST', body: { kind: 'batch', ...body } }), invalidatesTags: ['Instrument'],
    }),
    // Analytics and oversight.
    mlStatus: b.query<MlStatus, void>({ query: () => '/ml/status' }),
    mlForecast: b.query<MlForecast, string>({ query: (series) => `/ml/forecast${qs({ series })}` }),
    mlVolatility: b.query<MlVolatility, string>({ query: (series) => `/ml/volatility${qs({ series })}` }),
    mlTrend: b.query<MlTrend, string>({ query: (series) => `/ml/trend${qs({ series })}` }),
    projectRisk: b.query<MlProjectRisk, number>({ query: (id) => `/ml/risk/projects/${id}`, providesTags: ['Project'] }),
    portfolioRisk: b.query<MlPortfolioRisk, Params>({ query: (p) => `/ml/risk/portfolio${qs(p)}`, providesTags: ['Holding'] }),
    fraudAlerts: b.query<MlAlerts, Params>({ query: (p) => `/ml/fraud/alerts${qs(p)}` }),
    audit: b.query<Page<AuditEntry>, Params>({ query: (p) => `/audit${qs(p)}` }),
  }),
});

export const {
  useLoginMutation, useRegisterMutation, useLogoutMutation, useMeQuery, useUsersQuery, useSetRolesMutation,
  useCreditClassesQuery, useCreateCreditClassMutation, useProjectsQuery, useProjectQuery, useCreateProjectMutation,
  useProjectActionMutation, useIssuancesQuery, useRequestIssuanceMutation, useIssuanceActionMutation, useBatchesQuery,
  useHoldingsQuery, useTransferMutation, useRetireMutation, useRetirementsQuery, useCertificateQuery,
  useInstrumentsQuery, useInstrumentQuery, useSetPhaseMutation, useMarketStatsQuery, useMarketTradesQuery, useMarketCandlesQuery,
  useOrdersQuery, usePlaceOrderMutation, useCancelOrderMutation, useReplaceOrderMutation, useMassCancelMutation, useFillsQuery,
  useCashQuery, useBatchQuery, useBatchDetailsQuery, useAuctionsQuery, useStartAuctionMutation, useListInstrumentMutation,
  useMlStatusQuery, useMlForecastQuery, useMlVolatilityQuery, useMlTrendQuery, useProjectRiskQuery, usePortfolioRiskQuery,
  useFraudAlertsQuery, useAuditQuery, useMfaStatusQuery, useMfaEnrollMutation, useMfaQrSvgQuery, useMfaConfirmMutation,
  useMfaDisableMutation, useSiweNonceMutation, useSiweLoginMutation, useSiweLinkMutation, useWithdrawalsQuery,
  useRequestWithdrawalMutation, useDecideWithdrawalMutation,
} = api;
