// Validation of the admin fee form: whole basis points from 0 to 1000 (10 %), as the
// server checks them (the server's answer still decides; this only catches typos early).
export interface FeeForm { maker: string; taker: string }
export type FeeCheck = { ok: true; maker_fee_bp: number; taker_fee_bp: number } | { ok: false; field: 'maker_fee_bp' | 'taker_fee_bp'; message: string };

export const MAX_FEE_BP = 1000;

function bp(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,4}$/.test(t)) return null;
  const n = Number(t);
  return n <= MAX_FEE_BP ? n : null;
}

export function checkFees(f: FeeForm): FeeCheck {
  const maker = bp(f.maker);
  if (maker === null) return { ok: false, field: 'maker_fee_bp', message: `Maker fee: whole basis points from 0 to ${MAX_FEE_BP}` };
  const taker = bp(f.taker);
  if (taker === null) return { ok: false, field: 'taker_fee_bp', message: `Taker fee: whole basis points from 0 to ${MAX_FEE_BP}` };
  return { ok: true, maker_fee_bp: maker, taker_fee_bp: taker };
}

// "0.20 %" for 20 bp, exact (integer arithmetic on the basis points).
export function bpAsPercent(n: number): string {
  const whole = Math.floor(n / 100);
  const frac = String(n % 100).padStart(2, '0');
  return `${whole}.${frac} %`;
}
