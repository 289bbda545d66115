// End-to-end encryption of private papers (KYC documents), done entirely in the browser
// with WebCrypto; the server stores ciphertext and this envelope, never a key it can use.
// Format (v1; also documented in backend/src/documents/README.md "End-to-end envelopes"):
//   file:      AES-256-GCM under a random file key, 12-byte random IV, additional data
//              "cx-e2e-file-v1"; the uploaded bytes are ciphertext || tag.
//   meta:      {name, type, size} of the original file, AES-256-GCM under the same key with
//              its own IV, additional data "cx-e2e-meta-v1" (the file name stays private).
//   recipients: for each reviewer key (ECDH P-256 public JWK, key id = RFC 7638 thumbprint):
//              a fresh ephemeral P-256 key pair; KEK = HKDF-SHA256(ECDH(ephemeral, reviewer),
//              salt "cx-e2e-v1", info = kid) as an AES-256 key-wrap key; wrapped_key =
//              AES-KW(KEK, file key) (40 bytes). The ephemeral public JWK travels as `epk`.
// All binary fields are unpadded base64url. Contract: decryptPaper() returns the original
// bytes or throws (wrong key, tampered ciphertext or envelope, not a recipient).
export const ENVELOPE_ALG = 'ECDH-P256+HKDF-SHA256+A256KW';
export const ENVELOPE_ENC = 'A256GCM';

export interface PublicJwk { kty: 'EC'; crv: 'P-256'; x: string; y: string }
export interface ReviewerKey { user: number; kid: string; jwk: PublicJwk }
export interface Recipient { user: number; kid: string; epk: PublicJwk; wrapped_key: string }
export interface Envelope {
  v: 1; alg: string; enc: string; iv: string; meta_iv: string; meta: string; recipients: Recipient[]; cid?: string;
}
export interface PaperMeta { name: string; type: string; size: number }
/** Bytes backed by a plain ArrayBuffer (what WebCrypto and Blob accept). */
export type Bytes = Uint8Array<ArrayBuffer>;

const te = new TextEncoder();
const FILE_AAD = te.encode('cx-e2e-file-v1');
const META_AAD = te.encode('cx-e2e-meta-v1');
const HKDF_SALT = te.encode('cx-e2e-v1');
const EC = { name: 'ECDH', namedCurve: 'P-256' } as const;

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new Error('WebCrypto is not available (a secure context, https or localhost, is required)');
  return s;
}

export function b64uEncode(bytes: Uint8Array | ArrayBuffer): string {
  const b = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function b64uDecode(text: string): Bytes {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('not base64url');
  const pad = text.length % 4 === 2 ? '==' : text.length % 4 === 3 ? '=' : '';
  const bin = atob(text.replace(/-/g, '+').replace(/_/g, '/') + pad);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function publicOnly(j: JsonWebKey): PublicJwk {
  if (j.kty !== 'EC' || j.crv !== 'P-256' || !j.x || !j.y) throw new Error('not a P-256 public key');
  return { kty: 'EC', crv: 'P-256', x: j.x, y: j.y };
}

/** RFC 7638 thumbprint of a P-256 public key: the key id the server also computes. */
export async function thumbprint(jwk: PublicJwk): Promise<string> {
  const canon = `{"crv":"P-256","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`;
  return b64uEncode(await subtle().digest('SHA-256', te.encode(canon)));
}

/** A reviewer key pair; the private key is not extractable (kept as a CryptoKey in IndexedDB). */
export async function generateReviewerKey(): Promise<{ privateKey: CryptoKey; jwk: PublicJwk; kid: string }> {
  const pair = await subtle().generateKey(EC, false, ['deriveBits']);
  const jwk = publicOnly(await subtle().exportKey('jwk', pair.publicKey));
  return { privateKey: pair.privateKey, jwk, kid: await thumbprint(jwk) };
}

async function kek(priv: CryptoKey, pub: CryptoKey, kid: string, usage: 'wrapKey' | 'unwrapKey'): Promise<CryptoKey> {
  const shared = await subtle().deriveBits({ name: 'ECDH', public: pub }, priv, 256);
  const ikm = await subtle().importKey('raw', shared, 'HKDF', false, ['deriveKey']);
  return subtle().deriveKey({ name: 'HKDF', hash: 'SHA-256', salt: HKDF_SALT, info: te.encode(kid) }, ikm,
    { name: 'AES-KW', length: 256 }, false, [usage]);
}

function randomIv(): Bytes { return globalThis.crypto.getRandomValues(new Uint8Array(12)); }

/** Encrypts a paper for every reviewer key. Throws when there is no reviewer or a key id does not match its key. */
export async function encryptPaper(data: Bytes, meta: PaperMeta, reviewers: ReviewerKey[]): Promise<{ ciphertext: Bytes; envelope: Envelope }> {
  if (reviewers.length === 0) throw new Error('no compliance reviewer has registered an encryption key yet');
  const s = subtle();
  const fileKey = await s.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt', 'decrypt']);
  const iv = randomIv();
  const metaIv = randomIv();
  const ciphertext = new Uint8Array(await s.encrypt({ name: 'AES-GCM', iv, additionalData: FILE_AAD }, fileKey, data));
  const metaCt = await s.encrypt({ name: 'AES-GCM', iv: metaIv, additionalData: META_AAD }, fileKey, te.encode(JSON.stringify(meta)));
  const recipients: Recipient[] = [];
  for (const r of reviewers) {
    if (await thumbprint(r.jwk) !== r.kid) throw new Error(`reviewer ${r.user}: key id does not match the key`);
    const pub = await s.importKey('jwk', publicOnly(r.jwk as JsonWebKey), EC, false, []);
    const eph = await s.generateKey(EC, false, ['deriveBits']);
    const wrapping = await kek(eph.privateKey, pub, r.kid, 'wrapKey');
    const wrapped = await s.wrapKey('raw', fileKey, wrapping, 'AES-KW');
    recipients.push({ user: r.user, kid: r.kid, epk: publicOnly(await s.exportKey('jwk', eph.publicKey)), wrapped_key: b64uEncode(wrapped) });
  }
  return {
    ciphertext,
    envelope: { v: 1, alg: ENVELOPE_ALG, enc: ENVELOPE_ENC, iv: b64uEncode(iv), meta_iv: b64uEncode(metaIv), meta: b64uEncode(metaCt), recipients },
  };
}

/** Decrypts a paper with a reviewer's private key. Throws if the key is not a recipient or anything was altered. */
export async function decryptPaper(ciphertext: Bytes, envelope: Envelope, privateKey: CryptoKey, kid: string): Promise<{ data: Bytes; meta: PaperMeta }> {
  if (envelope.v !== 1 || envelope.alg !== ENVELOPE_ALG || envelope.enc !== ENVELOPE_ENC) throw new Error('unknown envelope format');
  const r = envelope.recipients.find((x) => x.kid === kid);
  if (!r) throw new Error('this paper was not encrypted to your key');
  const s = subtle();
  const epk = await s.importKey('jwk', publicOnly(r.epk as JsonWebKey), EC, false, []);
  const unwrapping = await kek(privateKey, epk, kid, 'unwrapKey');
  const fileKey = await s.unwrapKey('raw', b64uDecode(r.wrapped_key), unwrapping, 'AES-KW', { name: 'AES-GCM' }, false, ['decrypt']);
  const data = new Uint8Array(await s.decrypt({ name: 'AES-GCM', iv: b64uDecode(envelope.iv), additionalData: FILE_AAD }, fileKey, ciphertext));
  const metaBytes = await s.decrypt({ name: 'AES-GCM', iv: b64uDecode(envelope.meta_iv), additionalData: META_AAD }, fileKey, b64uDecode(envelope.meta));
  const meta = JSON.parse(new TextDecoder().decode(metaBytes)) as PaperMeta;
  return { data, meta };
}
