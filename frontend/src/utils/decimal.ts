// Exact decimal strings for prices and cash. Contract: the API sends money and prices as
// decimal strings ("24.80") and this module compares, scales, multiplies and formats them
// with BigInt only -- never a float. `toScaled("24.8", 2)` is 2480n; anything that is not a
// plain decimal with at most `scale` fraction digits is null.

const DEC = /^(-?)(\d+)(?:\.(\d*))?$/;

/** "24.8" at scale 2 -> 2480n; null when malformed or with more than `scale` decimals. */
export function toScaled(s: string | null | undefined, scale: number): bigint | null {
  if (s === null || s === undefined) return null;
  const m = DEC.exec(s.trim().replace(/,/g, ''));
  if (!m) return null;
  const frac = m[3] ?? '';
  if (frac.length > scale) return null;
  const v = BigInt(m[2]) * 10n ** BigInt(scale) + BigInt(frac.padEnd(scale, '0') || '0');
  return m[1] === '-' ? -v : v;
}

/** 2480n at scale 2 -> "24.80". */
export function fromScaled(v: bigint, scale: number): string {
  const neg = v < 0n;
  const a = neg ? -v : v;
  const p = 10n ** BigInt(scale);
  const int = (a / p).toString();
  const frac = scale > 0 ? '.' + (a % p).toString().padStart(scale, '0') : '';
  return `${neg ? '-' : ''}${int}${frac}`;
}

/** Compares two decimal strings exactly (-1, 0, 1). Malformed values sort first. */
export function cmpDecimal(a: string, b: string): number {
  const scale = Math.max(fracDigits(a), fracDigits(b));
  const x = toScaled(a, scale);
  const y = toScaled(b, scale);
  if (x === null || y === null) return x === null ? (y === null ? 0 : -1) : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

function fracDigits(s: string): number {
  const i = s.indexOf('.');
  return i < 0 ? 0 : s.length - i - 1;
}

/** True when the decimal string is zero ("0", "0.000"). */
export function isZero(s: string): boolean {
  return /^-?0*(\.0*)?$/.test(s.trim()) && /\d/.test(s);
}

function group(intPart: string): string {
  return intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** "233097.27" -> "233,097.27 USD" (exactly as given, grouped; 2 decimals). */
export function formatMoney(s: string | null | undefined, currency?: string): string {
  if (s === null || s === undefined || s === '') return '—';
  const v = toScaled(s, Math.max(2, fracDigits(s)));
  if (v === null) return s;
  const str = fromScaled(v, Math.max(2, fracDigits(s)));
  const neg = str.startsWith('-');
  const [i, f] = (neg ? str.slice(1) : str).split('.');
  return `${neg ? '−' : ''}${group(i)}${f !== undefined ? '.' + f : ''}${currency ? ' ' + currency : ''}`;
}

/** A price for people: "24.80", or a dash when there is none. */
export function formatPrice(s: string | null | undefined): string {
  if (s === null || s === undefined || s === '') return '—';
  return formatMoney(s);
}

/** Notional in minor units of `priceMinor` per tonne for `kg` kilograms, rounded half up. */
export function notionalMinor(priceMinor: bigint, kg: bigint): bigint {
  return (priceMinor * kg + 500n) / 1000n;
}

/** Fee in minor units: floor(notional x bp / 10000), the exchange's stated rounding. */
export function feeMinor(notional: bigint, bp: number): bigint {
  return (notional * BigInt(bp)) / 10000n;
}

export type PriceCheck = { ok: true; minor: bigint } | { ok: false; message: string };

/** Validates a price typed by a person against the tick (minor units). */
export function parsePrice(input: string, tickMinor = 1): PriceCheck {
  const v = toScaled(input, 2);
  if (v === null) return { ok: false, message: 'Enter a price with at most 2 decimals, e.g. 24.80' };
  if (v <= 0n) return { ok: false, message: 'Enter a price above zero' };
  if (tickMinor > 1 && v % BigInt(tickMinor) !== 0n) return { ok: false, message: `The price must be a multiple of the tick (${fromScaled(BigInt(tickMinor), 2)})` };
  return { ok: true, minor: v };
}

/** Serial range text of delivered kilograms [lo, hi) of a batch whose first serial is `serialStart`
 *  (a tonne has one serial; a partial tonne also shows its kilograms), as the registry prints it. */
export function kgRangeText(lo: number, hi: number, serialStart = 1, batchKg?: number): string {
  const first = serialStart + Math.floor(lo / 1000);
  const last = serialStart + Math.floor((hi - 1) / 1000);
  const whole = lo % 1000 === 0 && (hi % 1000 === 0 || hi === batchKg);
  return `${first}-${last}${whole ? '' : ` (kg ${lo}-${hi})`}`;
}
