// Proof verification against the shared vectors docs/test-vectors/merkle.json (the same
// vectors the C++ and Solidity tests check).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes, leafHash, verifyInclusion } from './merkle';

interface Case { event_hashes: string[]; root: string; proofs: Array<{ index: number; proof: string[] }> }
const vectors: { cases: Case[] } = JSON.parse(readFileSync(fileURLToPath(new URL('../../../docs/test-vectors/merkle.json', import.meta.url)), 'utf8'));

describe('merkle proofs (docs/formats.md)', () => {
  it('has the shared vectors', () => { expect(vectors.cases.length).toBeGreaterThanOrEqual(5); });

  it('a one-event block has the leaf as root', async () => {
    const c = vectors.cases.find((x) => x.event_hashes.length === 1)!;
    expect(await leafHash(c.event_hashes[0])).toBe(c.root);
  });

  it('verifies every proof of every vector', async () => {
    let n = 0;
    for (const c of vectors.cases) {
      for (const p of c.proofs) {
        const r = await verifyInclusion(c.event_hashes[p.index], p.proof, c.root);
        expect(r.valid, `case of ${c.event_hashes.length}, index ${p.index}`).toBe(true);
        expect(r.computedRoot).toBe(c.root);
        n++;
      }
    }
    expect(n).toBeGreaterThan(10);
  });

  it('rejects a wrong event, a wrong position, a tampered sibling and a wrong root', async () => {
    const c = vectors.cases.find((x) => x.event_hashes.length >= 5)!;
    const p = c.proofs[1];
    expect((await verifyInclusion(c.event_hashes[0], p.proof, c.root)).valid).toBe(false);
    const tampered = [...p.proof];
    tampered[0] = tampered[0].slice(0, 63) + (tampered[0][63] === '0' ? '1' : '0');
    expect((await verifyInclusion(c.event_hashes[p.index], tampered, c.root)).valid).toBe(false);
    expect((await verifyInclusion(c.event_hashes[p.index], p.proof.slice(1), c.root)).valid).toBe(false);
    expect((await verifyInclusion(c.event_hashes[p.index], p.proof, c.event_hashes[0])).valid).toBe(false);
  });

  it('reports malformed input instead of throwing', async () => {
    const r = await verifyInclusion('zz', [], 'ab');
    expect(r.valid).toBe(false);
    expect(r.error).toBeTruthy();
    const c = vectors.cases[1];
    const r2 = await verifyInclusion(c.event_hashes[0], ['abcd'], c.root);
    expect(r2.valid).toBe(false);
    expect(r2.error).toMatch(/32 bytes/);
  });

  it('round-trips hex', () => {
    expect(bytesToHex(hexToBytes('00ff10Ab'))).toBe('00ff10ab');
    expect(() => hexToBytes('abc')).toThrow();
  });
});
