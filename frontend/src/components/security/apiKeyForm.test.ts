import { describe, expect, it } from 'vitest';
import { buildApiKeyRequest, defaultExpiry, describeKey, isIpOrCidr, parseAllowList } from './apiKeyForm';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const fieldOf = (f: () => unknown) => {
  try { f(); } catch (e) { return (e as { clientField?: string }).clientField; }
  return undefined;
};

describe('API-key form', () => {
  it('builds the request with scopes in canonical order and an end-of-day expiry', () => {
    const r = buildApiKeyRequest({ label: ' bot 1 ', expires: '2026-12-31', allow_ips: '203.0.113.7, 10.0.0.0/8\n2001:db8::/32' }, ['trade', 'read'], NOW);
    expect(r).toEqual({
      label: 'bot 1', scopes: ['read', 'trade'], expires_at: '2026-12-31T23:59:59Z',
      allow_ips: ['203.0.113.7', '10.0.0.0/8', '2001:db8::/32'],
    });
  });
  it('leaves the expiry and allow-list to the server defaults when empty', () => {
    expect(buildApiKeyRequest({ label: 'x', expires: '', allow_ips: '' }, ['read'], NOW)).toEqual({ label: 'x', scopes: ['read'] });
  });
  it('names the field at fault', () => {
    expect(fieldOf(() => buildApiKeyRequest({ label: '' }, ['read'], NOW))).toBe('label');
    expect(fieldOf(() => buildApiKeyRequest({ label: 'x'.repeat(101) }, ['read'], NOW))).toBe('label');
    expect(fieldOf(() => buildApiKeyRequest({ label: 'x' }, [], NOW))).toBe('scopes');
    expect(fieldOf(() => buildApiKeyRequest({ label: 'x', expires: '2026-05-31' }, ['read'], NOW))).toBe('expires_at');
    expect(fieldOf(() => buildApiKeyRequest({ label: 'x', expires: '2027-06-02' }, ['read'], NOW))).toBe('expires_at');
    expect(fieldOf(() => buildApiKeyRequest({ label: 'x', expires: '2026-02-30' }, ['read'], NOW))).toBe('expires_at');
    expect(fieldOf(() => buildApiKeyRequest({ label: 'x', allow_ips: '300.1.1.1' }, ['read'], NOW))).toBe('allow_ips');
    expect(fieldOf(() => buildApiKeyRequest({ label: 'x', allow_ips: Array(17).fill('10.0.0.1').join(' ') }, ['read'], NOW))).toBe('allow_ips');
    expect(fieldOf(() => buildApiKeyRequest({ label: 'x', otp: '12345' }, ['read'], NOW))).toBe('otp');
  });
  it('passes a second-factor code through', () => {
    expect(buildApiKeyRequest({ label: 'x', otp: '123 456' }, ['read'], NOW).otp).toBe('123456');
  });
  it('recognises addresses and CIDR blocks', () => {
    for (const ok of ['127.0.0.1', '10.0.0.0/8', '0.0.0.0/0', '::1', '2001:db8::/32', '::ffff:192.0.2.1', 'fe80::1/128'])
      expect(isIpOrCidr(ok), ok).toBe(true);
    for (const bad of ['', 'localhost', '10.0.0.0/33', '1.2.3', '2001:db8::/129', '1::2::3', '10.0.0.1/8/1', '10.0.0.1/x'])
      expect(isIpOrCidr(bad), bad).toBe(false);
    expect(parseAllowList(' a,b\n\nc ')).toEqual(['a', 'b', 'c']);
  });
  it('describes keys and offers a 90-day default', () => {
    expect(defaultExpiry(NOW)).toBe('2026-08-30');
    expect(describeKey({ scopes: ['read'], allow_ips: [], expires_at: '2027-01-31T00:00:00Z', status: 'active' })).toBe('read · any address · expires 2027-01-31');
    expect(describeKey({ scopes: ['trade'], allow_ips: ['10.0.0.0/8'], expires_at: 'x', status: 'revoked' })).toBe('trade · from 10.0.0.0/8 · revoked');
  });
});
