// The EIP-4361 message builder and the wallet signing path, with a real wallet library
// (ethers) behind an EIP-1193 provider, and sign-up/sign-in/replay against a real carbonx.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Wallet, verifyMessage, getBytes, toUtf8String } from 'ethers';
import { siweMessage, toHexUtf8, walletSign, walletErrorMessage, type Eip1193 } from './siwe';
import { makeStore, type AppStore } from '../store/index';
import { api } from '../services/api';
import { setApiBase } from '../services/reauth';
import { toFormError } from './problem';
import { startCarbonx } from '../../e2e/carbonx.mjs';
import { codes } from '../../e2e/totp.mjs';
import { signedIn } from '../store/authSlice';
import { eventForError, initialSignIn, signInReducer } from '../store/signInStep';

/** An EIP-1193 provider backed by an ethers wallet (what a browser wallet does). */
type Signer = { address: string; signMessage(m: string | Uint8Array): Promise<string> };
function provider(w: Signer, calls: string[] = []): Eip1193 {
  return {
    async request({ method, params }) {
      calls.push(method);
      if (method === 'eth_requestAccounts') return [w.address];
      if (method === 'personal_sign') {
        const [hex, addr] = params as [string, string];
        if (addr !== w.address) throw new Error('unknown account');
        return w.signMessage(getBytes(hex));
      }
      throw Object.assign(new Error('unsupported'), { code: 4200 });
    },
  };
}

const fields = {
  domain: 'example.com:8080', address: '0x' + 'aB'.repeat(20), statement: 'Sign in to CarbonXchange.', uri: 'https://example.com:8080',
  chainId: 1, nonce: 'a1b2c3d4e5f6a7b8', issuedAt: '2026-11-28T12:00:00.000Z',
};

describe('siweMessage', () => {
  it('lays out EIP-4361 exactly', () => {
    expect(siweMessage(fields)).toBe(
      'example.com:8080 wants you to sign in with your Ethereum account:\n0x' + 'aB'.repeat(20) + '\n\nSign in to CarbonXchange.\n\n' +
      'URI: https://example.com:8080\nVersion: 1\nChain ID: 1\nNonce: a1b2c3d4e5f6a7b8\nIssued At: 2026-11-28T12:00:00.000Z');
    expect(siweMessage({ ...fields, expirationTime: '2026-11-28T12:10:00.000Z' })).toMatch(/\nIssued At: .*\nExpiration Time: 2026-11-28T12:10:00.000Z$/);
    expect(siweMessage({ ...fields, statement: undefined })).toContain('account:\n0x' + 'aB'.repeat(20) + '\n\nURI: ');
  });
  it('refuses malformed input instead of signing it', () => {
    expect(() => siweMessage({ ...fields, address: '0x1234' })).toThrow(/address/);
    expect(() => siweMessage({ ...fields, nonce: 'ab' })).toThrow(/nonce/);
    expect(() => siweMessage({ ...fields, statement: 'x\nURI: https://evil.example' })).toThrow(/line break/);
  });
  it('hex-encodes UTF-8 for personal_sign', () => {
    expect(toHexUtf8('Aé')).toBe('0x41c3a9');
    expect(toUtf8String(getBytes(toHexUtf8(siweMessage(fields))))).toBe(siweMessage(fields));
  });
});

describe('walletSign with an ethers wallet behind EIP-1193', () => {
  it('asks for the account, then signs a message the signer can be recovered from', async () => {
    const w = Wallet.createRandom();
    const calls: string[] = [];
    const s = await walletSign(provider(w, calls), { nonce: 'f00dfeedf00dfeed', domain: 'h:1', chain_id: 5, statement: 'Sign in to CarbonXchange.' }, 'http://h:1');
    expect(calls).toEqual(['eth_requestAccounts', 'personal_sign']);
    expect(s.address).toBe(w.address.toLowerCase());
    expect(s.message).toContain('\nChain ID: 5\nNonce: f00dfeedf00dfeed\n');
    expect(verifyMessage(s.message, s.signature)).toBe(w.address);
  });
  it('explains a refusal in the wallet', async () => {
    const refusing: Eip1193 = { request: async () => { throw Object.assign(new Error('User rejected the request.'), { code: 4001 }); } };
    const err = await walletSign(refusing, { nonce: 'f00dfeedf00dfeed', domain: 'h', chain_id: 1, statement: '' }, 'http://h').catch((e) => e);
    expect(walletErrorMessage(err)).toBe('You declined the request in your wallet.');
  });
});

describe('wallet sign-up and sign-in against a real carbonx', () => {
  let server: Awaited<ReturnType<typeof startCarbonx>>;
  let store: AppStore;
  beforeAll(async () => {
    server = await startCarbonx({ demo: true });
    setApiBase(`${server.url}/api/v1`);
    store = makeStore();
  }, 60000);
  afterAll(async () => { await server?.stop(); });

  const signed = async (w: Signer) => {
    const n = await store.dispatch(api.endpoints.siweNonce.initiate()).unwrap();
    return walletSign(provider(w), n, server.url);
  };

  it('an unknown wallet is offered sign-up; signup creates a trader; the nonce works once', async () => {
    const w = Wallet.createRandom();
    let s = await signed(w);
    const unknown = await store.dispatch(api.endpoints.siweLogin.initiate({ message: s.message, signature: s.signature })).unwrap().catch(toFormError);
    expect(unknown).toMatchObject({ code: 'REGISTRY_UNKNOWN_USER', field: 'signature' });
    s = await signed(w);
    const up = await store.dispatch(api.endpoints.siweLogin.initiate({ message: s.message, signature: s.signature, signup: true })).unwrap();
    expect(up.wallet).toBe(w.address.toLowerCase());
    expect(up.user?.roles).toEqual(['trader']);
    const replay = await store.dispatch(api.endpoints.siweLogin.initiate({ message: s.message, signature: s.signature })).unwrap().catch(toFormError);
    expect(replay).toMatchObject({ code: 'AUTH_BAD_TOKEN', field: 'nonce' });
    s = await signed(w);
    const again = await store.dispatch(api.endpoints.siweLogin.initiate({ message: s.message, signature: s.signature })).unwrap();
    expect(again.user?.id).toBe(up.user?.id);
  });

  it('a signature by another key is refused next to the signature', async () => {
    const w = Wallet.createRandom();
    const s = await signed(w);
    const forged = await Wallet.createRandom().signMessage(s.message);
    const e = await store.dispatch(api.endpoints.siweLogin.initiate({ message: s.message, signature: forged, signup: true })).unwrap().then(() => null, toFormError);
    expect(e).toMatchObject({ code: 'AUTH_BAD_CREDENTIALS', field: 'signature' });
    expect(e?.message).toMatch(/does not belong/);
  });

  it('a linked wallet of an account with a second factor needs a code, signed again with a fresh nonce', async () => {
    const creds = { email: 'buyer@carbonx.demo', password: 'demo-buyer-2026' };
    store.dispatch(signedIn(await store.dispatch(api.endpoints.login.initiate(creds)).unwrap()));
    const w = Wallet.createRandom();
    let s = await signed(w);
    const linked = await store.dispatch(api.endpoints.siweLink.initiate({ message: s.message, signature: s.signature })).unwrap();
    expect(linked.wallets).toContain(w.address.toLowerCase());
    const e = await store.dispatch(api.endpoints.mfaEnroll.initiate()).unwrap();
    const gen = codes(e.secret);
    await store.dispatch(api.endpoints.mfaConfirm.initiate({ code: await gen.next() })).unwrap();
    s = await signed(w);
    const need = await store.dispatch(api.endpoints.siweLogin.initiate({ message: s.message, signature: s.signature })).unwrap().then(() => null, toFormError);
    expect(need).toMatchObject({ code: 'AUTH_MFA_REQUIRED', field: 'otp' });
    const st = signInReducer(initialSignIn, eventForError(need?.code, 'wallet')!);
    expect(st).toMatchObject({ step: 'otp', method: 'wallet' });
    s = await signed(w);  // the first nonce was spent: sign again
    const ok = await store.dispatch(api.endpoints.siweLogin.initiate({ message: s.message, signature: s.signature, otp: await gen.next() })).unwrap();
    expect(ok.user?.email).toBe(creds.email);
  }, 90000);
});
