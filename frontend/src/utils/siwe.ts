// Sign-In with Ethereum (EIP-4361) in the browser. Contract: `siweMessage` builds exactly the
// text the server verifies (domain = the page's host, URI = the page's origin, the server's
// chain id, nonce and statement, ISO issued-at); `walletSign` asks an EIP-1193 provider
// (window.ethereum) for an account and a personal_sign signature over that text. The nonce
// is single use: every attempt (including a retry with a code or with signup) fetches a
// fresh one and signs again.

export interface SiweFields {
  domain: string; address: string; statement?: string; uri: string; chainId: number; nonce: string;
  issuedAt: string; expirationTime?: string;
}

/** The EIP-4361 message (no resources, version 1). */
export function siweMessage(f: SiweFields): string {
  if (!/^0x[0-9a-fA-F]{40}$/.test(f.address)) throw new Error('not an Ethereum address');
  if (!/^[A-Za-z0-9]{8,}$/.test(f.nonce)) throw new Error('bad nonce');
  if (/[\n\r]/.test(f.domain + f.uri + (f.statement ?? ''))) throw new Error('line break in a field');
  return `${f.domain} wants you to sign in with your Ethereum account:\n${f.address}\n\n` +
    (f.statement ? `${f.statement}\n\n` : '') +
    `URI: ${f.uri}\nVersion: 1\nChain ID: ${f.chainId}\nNonce: ${f.nonce}\nIssued At: ${f.issuedAt}` +
    (f.expirationTime ? `\nExpiration Time: ${f.expirationTime}` : '');
}

/** UTF-8 text as 0x-hex, the form personal_sign takes. */
export function toHexUtf8(s: string): string {
  return '0x' + Array.from(new TextEncoder().encode(s), (b) => b.toString(16).padStart(2, '0')).join('');
}

export interface Eip1193 { request(a: { method: string; params?: unknown[] }): Promise<unknown> }

/** The injected wallet, if any. */
export function injectedWallet(): Eip1193 | null {
  const w = typeof window === 'undefined' ? undefined : (window as unknown as { ethereum?: Eip1193 }).ethereum;
  return w && typeof w.request === 'function' ? w : null;
}

export interface SiweNonce { nonce: string; domain: string; chain_id: number; statement: string; expires_in?: number }
export interface SignedSiwe { message: string; signature: string; address: string }

/** Asks the wallet for its first account and a signature of a fresh message for `nonce`. */
export async function walletSign(wallet: Eip1193, nonce: SiweNonce, origin: string, now = new Date()): Promise<SignedSiwe> {
  const accounts = await wallet.request({ method: 'eth_requestAccounts' }) as string[];
  const address = accounts?.[0];
  if (!address) throw new Error('The wallet shared no account.');
  const message = siweMessage({
    domain: nonce.domain, address, statement: nonce.statement, uri: origin,
    chainId: nonce.chain_id, nonce: nonce.nonce, issuedAt: now.toISOString(),
  });
  const signature = await wallet.request({ method: 'personal_sign', params: [toHexUtf8(message), address] }) as string;
  if (typeof signature !== 'string' || !/^0x[0-9a-fA-F]{130}$/.test(signature)) throw new Error('The wallet returned no signature.');
  return { message, signature, address: address.toLowerCase() };
}

/** A wallet refusal (EIP-1193 code 4001) or other provider error, for people. */
export function walletErrorMessage(e: unknown): string {
  const x = e as { code?: number; message?: string };
  if (x && x.code === 4001) return 'You declined the request in your wallet.';
  return x && typeof x.message === 'string' && x.message ? x.message : 'The wallet did not answer.';
}
