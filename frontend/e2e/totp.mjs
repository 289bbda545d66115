// RFC 6238 one-time codes (HMAC-SHA-1, 6 digits, 30-second steps) computed independently of
// the server with node:crypto, for the tests. `codes(secret)` hands out codes for strictly
// increasing time steps (the server accepts each step once, and only newer than the last used),
// never more than one step ahead of the clock (waiting for the clock when needed).
import { createHmac } from 'node:crypto';

export function base32Decode(s) {
  const alpha = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, value = 0;
  const out = [];
  for (const ch of s.replace(/[=\s]+/g, '').toUpperCase()) {
    const i = alpha.indexOf(ch);
    if (i < 0) throw new Error(`not base32: ${ch}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 255); bits -= 8; }
  }
  return Buffer.from(out);
}

export const stepNow = (ms = Date.now()) => Math.floor(ms / 1000 / 30);

export function totpAt(secretB32, step) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(step));
  const h = createHmac('sha1', base32Decode(secretB32)).update(msg).digest();
  const o = h[h.length - 1] & 15;
  const n = ((h[o] & 127) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(n % 1e6).padStart(6, '0');
}

export function codes(secretB32) {
  let last = -Infinity;
  return {
    /** A code for a step never used before by this generator. */
    async next() {
      let step = Math.max(last + 1, stepNow());
      while (step > stepNow() + 1) await new Promise((r) => setTimeout(r, 500));
      last = step;
      return totpAt(secretB32, step);
    },
    /** A code the server must refuse: far in the future. */
    wrong() { return totpAt(secretB32, stepNow() + 20); },
  };
}
