// Merkle inclusion proofs per docs/formats.md, checked in the browser with WebCrypto:
//   leaf(e) = SHA-256(0x00 || event_hash), node(a, b) = SHA-256(0x01 || min(a,b) || max(a,b)),
//   h = leaf(event_hash); for s in proof: h = node(h, s); valid iff h == root.
// Pure apart from crypto.subtle; rejects malformed hex rather than guessing.

export function hexToBytes(hex: string): Uint8Array {
  if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new Error(`not hex: ${hex.slice(0, 16)}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

export function bytesToHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function compare(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  const len = parts.reduce((n, p) => n + p.length, 0);
  const buf = new Uint8Array(len);
  let o = 0;
  for (const p of parts) { buf.set(p, o); o += p.length; }
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', buf));
}

export async function leafHash(eventHashHex: string): Promise<string> {
  return bytesToHex(await sha256(Uint8Array.of(0), hexToBytes(eventHashHex)));
}

export interface ProofCheck { valid: boolean; computedRoot: string; steps: number; error?: string }

export async function verifyInclusion(eventHashHex: string, proof: string[], rootHex: string): Promise<ProofCheck> {
  try {
    if (eventHashHex.length !== 64 || rootHex.length !== 64) throw new Error('hashes must be 32 bytes');
    let h = await sha256(Uint8Array.of(0), hexToBytes(eventHashHex));
    for (const s of proof) {
      const b = hexToBytes(s);
      if (b.length !== 32) throw new Error('proof entries must be 32 bytes');
      const [lo, hi] = compare(h, b) <= 0 ? [h, b] : [b, h];
      h = await sha256(Uint8Array.of(1), lo, hi);
    }
    const computedRoot = bytesToHex(h);
    return { valid: computedRoot === rootHex.toLowerCase(), computedRoot, steps: proof.length };
  } catch (e) {
    return { valid: false, computedRoot: '', steps: 0, error: (e as Error).message };
  }
}
