import { describe, expect, it } from 'vitest';
import { b64uDecode, b64uEncode, decryptPaper, encryptPaper, generateReviewerKey, thumbprint, type ReviewerKey } from './e2eEnvelope';

async function reviewer(user: number) {
  const k = await generateReviewerKey();
  return { priv: k.privateKey, pub: { user, kid: k.kid, jwk: k.jwk } as ReviewerKey };
}

describe('e2e envelope', () => {
  it('encrypt -> wrap -> unwrap -> decrypt round trip for every reviewer', async () => {
    const a = await reviewer(1);
    const b = await reviewer(2);
    const data = new Uint8Array(70_001).map((_, i) => (i * 131 + 7) & 255);
    const meta = { name: 'passport scan.pdf', type: 'application/pdf', size: data.length };
    const { ciphertext, envelope } = await encryptPaper(data, meta, [a.pub, b.pub]);
    expect(ciphertext.length).toBe(data.length + 16);
    expect(envelope.recipients.map((r) => r.user)).toEqual([1, 2]);
    for (const r of envelope.recipients) expect(b64uDecode(r.wrapped_key).length).toBe(40);
    // The name is not in the envelope in clear.
    expect(JSON.stringify(envelope)).not.toContain('passport');
    for (const who of [a, b]) {
      const out = await decryptPaper(ciphertext, envelope, who.priv, who.pub.kid);
      expect(out.data).toEqual(data);
      expect(out.meta).toEqual(meta);
    }
  });

  it('an empty file round trips', async () => {
    const a = await reviewer(1);
    const { ciphertext, envelope } = await encryptPaper(new Uint8Array(0), { name: 'e', type: '', size: 0 }, [a.pub]);
    expect((await decryptPaper(ciphertext, envelope, a.priv, a.pub.kid)).data.length).toBe(0);
  });

  it('the wrong private key fails, even under a recipient key id', async () => {
    const a = await reviewer(1);
    const mallory = await reviewer(9);
    const { ciphertext, envelope } = await encryptPaper(new Uint8Array([1, 2, 3]), { name: 'x', type: 'text/plain', size: 3 }, [a.pub]);
    await expect(decryptPaper(ciphertext, envelope, mallory.priv, mallory.pub.kid)).rejects.toThrow(/not encrypted to your key/);
    await expect(decryptPaper(ciphertext, envelope, mallory.priv, a.pub.kid)).rejects.toThrow();
  });

  it('tampered ciphertext, IV or wrapped key fail', async () => {
    const a = await reviewer(1);
    const { ciphertext, envelope } = await encryptPaper(new Uint8Array(1000).fill(7), { name: 'x', type: '', size: 1000 }, [a.pub]);
    const bad = ciphertext.slice();
    bad[10] ^= 1;
    await expect(decryptPaper(bad, envelope, a.priv, a.pub.kid)).rejects.toThrow();
    const iv = b64uDecode(envelope.iv);
    iv[0] ^= 1;
    await expect(decryptPaper(ciphertext, { ...envelope, iv: b64uEncode(iv) }, a.priv, a.pub.kid)).rejects.toThrow();
    const wk = b64uDecode(envelope.recipients[0].wrapped_key);
    wk[3] ^= 1;
    const r0 = { ...envelope.recipients[0], wrapped_key: b64uEncode(wk) };
    await expect(decryptPaper(ciphertext, { ...envelope, recipients: [r0] }, a.priv, a.pub.kid)).rejects.toThrow();
  });

  it('refuses no reviewers and a key id that does not match its key', async () => {
    const a = await reviewer(1);
    const b = await reviewer(2);
    await expect(encryptPaper(new Uint8Array(1), { name: 'x', type: '', size: 1 }, [])).rejects.toThrow(/no compliance reviewer/);
    await expect(encryptPaper(new Uint8Array(1), { name: 'x', type: '', size: 1 }, [{ ...a.pub, kid: b.pub.kid }])).rejects.toThrow(/does not match/);
  });

  it('thumbprint matches RFC 7638 for the P-256 base point (same value as the server test)', async () => {
    expect(await thumbprint({ kty: 'EC', crv: 'P-256', x: 'axfR8uEsQkf4vOblY6RA8ncDfYEt6zOg9KE5RdiYwpY', y: 'T-NC4v4af5uO5-tKfA-eFivOM1drMV7Oy7ZAaDe_UfU' }))
      .toBe('xx0BcA-wMohw8atYDJOe6peGModklG2wRHBlXHMvl0M');
    expect(b64uEncode(b64uDecode('-_8'))).toBe('-_8');
  });
});
