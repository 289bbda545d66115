// Data shaping and formatting for the analytics dashboard. Pure functions, no React.
// Contract: model outputs (forecasts, volatilities, momentum, risk points) are statistical
// estimates that the API sends as JSON numbers; they are rounded here for display only.
// Money (portfolio value, VaR, ES) stays a decimal string and is formatted by utils/decimal.
import type { Instrument, MlForecast, RiskFactor } from '../../services/api';

export interface SeriesOption { value: string; label: string }

/** The series picker: the reference index first, then every instrument by symbol. */
export function seriesOptions(referenceName: string | undefined, instruments: Instrument[]): SeriesOption[] {
  const out: SeriesOption[] = [{ value: 'reference', label: `Reference index: ${referenceName || 'external price series'}` }];
  for (const i of [...instruments].sort((a, b) => a.symbol.localeCompare(b.symbol)))
    out.push({ value: `instrument:${i.id}`, label: `${i.symbol} (${i.kind === 'batch' ? 'batch' : 'standard contract'}, ${i.currency})` });
  return out;
}

/** "reference" or "instrument:<positive id>"; anything else falls back to the reference. */
export function normaliseSeries(v: string | null | undefined): string {
  if (v && /^instrument:[1-9]\d*$/.test(v)) return v;
  return 'reference';
}

export interface FanPoint { x: number; y: number; date?: string }
export interface FanBand { x: number; lo: number; hi: number }
export interface FanData {
  history: FanPoint[];   // x = -(n-1) .. 0 (trading days relative to the last close)
  forecast: FanPoint[];  // the last close, then the point forecast per horizon
  naive: FanPoint[];     // the last close held flat to the longest horizon
  band: FanBand[];       // the 80 % interval: zero width at the last close, then per horizon
  last: number;
  xDomain: [number, number];
  yDomain: [number, number];
}

/**
 * Fan chart geometry: recent closes (oldest first) up to the forecast origin, then the point
 * forecast and its interval at each horizon (sorted by horizon), and naive (= last close)
 * beside it. Null when there is nothing to draw (no horizon and no history).
 */
export function fanData(history: { date: string; price: number }[], f: MlForecast): FanData | null {
  const hs = [...f.horizons].sort((a, b) => a.horizon - b.horizon);
  const hist = history.filter((p) => Number.isFinite(p.price));
  const last = f.series.last ?? (hist.length ? hist[hist.length - 1].price : hs[0]?.naive);
  if (last === undefined || !Number.isFinite(last) || (hs.length === 0 && hist.length === 0)) return null;
  const n = hist.length;
  const historyPts = hist.map((p, i) => ({ x: i - (n - 1), y: p.price, date: p.date }));
  const forecast: FanPoint[] = [{ x: 0, y: last }, ...hs.map((h) => ({ x: h.horizon, y: h.forecast }))];
  const band: FanBand[] = [{ x: 0, lo: last, hi: last }, ...hs.map((h) => ({ x: h.horizon, lo: h.interval.lo, hi: h.interval.hi }))];
  const maxH = hs.length ? hs[hs.length - 1].horizon : 1;
  const naive: FanPoint[] = [{ x: 0, y: last }, { x: maxH, y: hs.length ? hs[hs.length - 1].naive : last }];
  const ys = [...historyPts.map((p) => p.y), ...forecast.map((p) => p.y), ...band.flatMap((b) => [b.lo, b.hi]), ...naive.map((p) => p.y)]
    .filter(Number.isFinite);
  let lo = Math.min(...ys);
  let hi = Math.max(...ys);
  const pad = (hi - lo) * 0.08 || Math.abs(hi) * 0.05 || 1;
  lo -= pad;
  hi += pad;
  return { history: historyPts, forecast, naive, band, last, xDomain: [n > 1 ? -(n - 1) : -1, maxH], yDomain: [lo, hi] };
}

/** A number with `digits` decimals, or a dash when missing / not finite. */
export function formatNum(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const s = v.toFixed(digits);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

/** A share as a percentage: 0.048486 -> "4.85 %" (signed when `signed`). */
export function formatPct(v: number | null | undefined, digits = 2, signed = false): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const s = formatNum(v * 100, digits);
  return `${signed && v > 0 && !/^0\.?0*$/.test(s) ? '+' : ''}${s} %`;
}

/** Points of a risk factor: at most two decimals, trailing zeros dropped (2.09, 10, 0.5). */
export function formatPoints(v: number): string {
  if (!Number.isFinite(v)) return '—';
  return String(Math.round(v * 100) / 100);
}

const FACTOR_NAMES: Record<string, string> = {
  removal_vs_reduction: 'Removal vs reduction',
  permanence: 'Permanence (nature vs technical)',
  methodology: 'Methodology flags',
  vintage_age: 'Vintage age',
  country: 'Country',
  buffer: 'Buffer share',
  reversals: 'Reversals',
  verification_history: 'Verification history',
  concentration: 'Holder concentration',
};

/** "verification_history" -> "Verification history" (known names get a fuller label). */
export function factorLabel(name: string): string {
  if (FACTOR_NAMES[name]) return FACTOR_NAMES[name];
  const s = name.replace(/_/g, ' ').trim();
  return s ? s[0].toUpperCase() + s.slice(1) : name;
}

export interface FactorRow { name: string; label: string; points: string; max: string; share: number; detail: string; text: string }

/**
 * Risk factors for display, largest contribution first (ties keep the server's order), each
 * with its share of its maximum (0..1, for the bar) and a sentence for screen readers.
 */
export function factorRows(factors: RiskFactor[]): FactorRow[] {
  return factors
    .map((f, i) => ({ f, i }))
    .sort((a, b) => (b.f.points - a.f.points) || (a.i - b.i))
    .map(({ f }) => {
      const share = f.max_points > 0 ? Math.min(1, Math.max(0, f.points / f.max_points)) : 0;
      const label = factorLabel(f.name);
      const points = formatPoints(f.points);
      const max = formatPoints(f.max_points);
      return { name: f.name, label, points, max, share, detail: f.detail, text: `${label}: ${points} of ${max} points (${f.detail})` };
    });
}

/** Sum of the factors' points, rounded as the score is (two decimals). */
export function factorTotal(factors: RiskFactor[]): number {
  return Math.round(factors.reduce((a, f) => a + f.points, 0) * 100) / 100;
}

const ALERT_KINDS: Record<string, string> = {
  selftrade: 'Self-trade',
  wash: 'Wash trading',
  spoof: 'Spoofing / layering',
  marking_close: 'Marking the close',
  round_size: 'Round-size volumes',
  first_digit: 'First-digit (Benford) test',
  anomaly: 'Anomaly',
  duplicate_issuance: 'Duplicate issuance',
  serial_overlap: 'Serial overlap',
};
export const alertKinds = Object.keys(ALERT_KINDS);
export function alertKindLabel(kind: string): string {
  return ALERT_KINDS[kind] ?? kind.replace(/_/g, ' ');
}

/** What an alert points at: "trade 5", "order 12", "batches 3, 7". */
export function alertSubject(a: { trade?: number; order?: number; batches?: number[] }): string {
  const parts: string[] = [];
  if (a.trade) parts.push(`trade ${a.trade}`);
  if (a.order) parts.push(`order ${a.order}`);
  if (a.batches && a.batches.length) parts.push(`${a.batches.length === 1 ? 'batch' : 'batches'} ${a.batches.join(', ')}`);
  return parts.join(', ') || '—';
}

/** Kinds of the security audit trail (backend registry state), for the filter. */
export const auditKinds = [
  'login', 'login_failed', 'role_change', 'session_revoked', 'refresh_token_reuse',
  'deposit', 'withdrawal', 'withdrawal_requested', 'withdrawal_approved', 'withdrawal_rejected',
];

export const regimeText: Record<string, string> = {
  up: 'Up-trend', down: 'Down-trend', sideways: 'Sideways', unknown: 'Not enough history',
};

export interface ModelRow { model: string; cells: { horizon: number; forecast: number | null; mase: number | null }[] }

/**
 * Each model's forecast per horizon (sorted), naive first and the ensemble last, with its
 * walk-forward MASE where the model status gives one (the reference model only).
 */
export function modelRows(f: MlForecast, mase?: Record<string, Record<string, number>>): ModelRow[] {
  const hs = [...f.horizons].sort((a, b) => a.horizon - b.horizon);
  const names = new Set<string>();
  for (const h of hs) for (const k of Object.keys(h.by_model)) names.add(k);
  const order = [...names].sort((a, b) => (a === 'naive' ? -1 : b === 'naive' ? 1 : a.localeCompare(b)));
  const rows: ModelRow[] = order.map((model) => ({
    model,
    cells: hs.map((h) => ({ horizon: h.horizon, forecast: h.by_model[model] ?? null, mase: mase?.[String(h.horizon)]?.[model] ?? null })),
  }));
  rows.push({
    model: 'ensemble',
    cells: hs.map((h) => ({ horizon: h.horizon, forecast: h.forecast, mase: mase?.[String(h.horizon)]?.ensemble ?? h.backtest_mase ?? null })),
  });
  return rows;
}
