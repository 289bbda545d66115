// Formatting for people. Contract: quantities stay exact -- API decimal strings ("1234.5")
// and integer kilograms are turned into grouped tonne strings with exactly three decimals
// by string/integer arithmetic only; nothing here converts a balance to a float.

const QTY = /^(-?)(\d+)(?:\.(\d{1,3}))?$/;

function group(intPart: string): string {
  return intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "25000.5" -> "25,000.500 t". Returns the input unchanged (plus unit) if it is not a decimal. */
export function formatTonnes(q: string | null | undefined, unit = true): string {
  if (q === null || q === undefined || q === '') return '—';
  const m = QTY.exec(q.trim());
  if (!m) return q;
  const intPart = m[2].replace(/^0+(?=\d)/, '');
  const frac = (m[3] ?? '').padEnd(3, '0');
  return `${m[1]}${group(intPart)}.${frac}${unit ? ' t' : ''}`;
}

/** Integer kilograms -> "1,234.567 t" (exact; accepts number or bigint, must be an integer). */
export function formatKg(kg: number | bigint, unit = true): string {
  const b = typeof kg === 'bigint' ? kg : BigInt(kg);
  const neg = b < 0n;
  const a = neg ? -b : b;
  const t = (a / 1000n).toString();
  const frac = (a % 1000n).toString().padStart(3, '0');
  return `${neg ? '-' : ''}${group(t)}.${frac}${unit ? ' t' : ''}`;
}

export type QuantityCheck = { ok: true; kg: bigint } | { ok: false; message: string };

/** Validates a tonne quantity typed by a person: positive, at most 3 decimals. */
export function parseTonnes(input: string): QuantityCheck {
  const s = input.trim().replace(/,/g, '');
  const m = /^(\d+)(?:\.(\d{0,3}))?$/.exec(s);
  if (!m) return { ok: false, message: 'Enter tonnes as a number with at most 3 decimals, e.g. 12.345' };
  const kg = BigInt(m[1]) * 1000n + BigInt((m[2] ?? '').padEnd(3, '0') || '0');
  if (kg <= 0n) return { ok: false, message: 'Enter a quantity above zero' };
  return { ok: true, kg };
}

/** Engine timestamps are microseconds since the Unix epoch. */
export function formatTs(us: number | null | undefined): string {
  if (!us) return '—';
  const d = new Date(Math.floor(us / 1000));
  return d.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

/** "2025-01-01" -> "1 Jan 2025" (dates are calendar dates, shown without time zone shifts). */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return iso;
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return `${Number(m[3])} ${months[Number(m[2]) - 1]} ${m[1]}`;
}

export function formatPeriod(a?: string, b?: string): string {
  if (!a && !b) return '—';
  return `${formatDate(a)} – ${formatDate(b)}`;
}

/** Serial ranges of a holding: [{kg_from, kg_to, serials}] -> "11001-25000 (14,000.000 t)". */
export interface SerialRange { kg_from: number; kg_to: number; serials: string }
export function formatRanges(ranges: SerialRange[] | undefined): string[] {
  return (ranges ?? []).map((r) => `${r.serials} (${formatKg(BigInt(r.kg_to) - BigInt(r.kg_from))})`);
}

export function humanStatus(s: string): string {
  return s.replace(/_/g, ' ');
}
