// Pure logic of the API-key form (ApiKeys.tsx): turns the form's values into the create
// request, or throws a field-level error (clientError) before anything is sent. Mirrors the
// server's rules (README "API keys for bots"): a label of 1-100 characters, at least one
// scope, an expiry in the future and at most a year away (default 90 days), at most 16
// addresses or CIDR blocks in the allow-list. The server checks everything again.
import { clientError } from '../common/useFormAction';
import type { ApiKeyCreate, ApiKeyScope } from '../../services/apikeys.api';

export const SCOPES: { value: ApiKeyScope; label: string; hint: string }[] = [
  { value: 'read', label: 'Read', hint: 'GET requests: balances, orders, fills, market data' },
  { value: 'trade', label: 'Trade', hint: 'place, replace and cancel orders' },
  { value: 'withdraw', label: 'Withdraw', hint: 'request cash withdrawals (an admin still approves them)' },
];
export const MAX_ALLOW = 16;
const DAY_MS = 86_400_000;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
/** An IPv4 or IPv6 address, optionally with a /prefix (host bits are checked by the server). */
export function isIpOrCidr(s: string): boolean {
  const [addr, prefix, extra] = s.split('/');
  if (extra !== undefined || !addr) return false;
  const v4 = IPV4.test(addr);
  const v6 = !v4 && addr.includes(':') && /^[0-9a-fA-F:.]+$/.test(addr) && (addr.match(/::/g) ?? []).length <= 1 &&
    addr.split(':').every((g) => g.length <= 4 || IPV4.test(g));
  if (!v4 && !v6) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (v4 ? 32 : 128);
}

/** Splits the allow-list box on commas, spaces and new lines. */
export function parseAllowList(text: string): string[] {
  return text.split(/[\s,]+/).map((x) => x.trim()).filter(Boolean);
}

/**
 * `values`: label, expires (YYYY-MM-DD, empty = default), allow_ips (text), otp; `scopes`:
 * the ticked boxes; `now` in ms. The expiry day is taken as its end (23:59:59 UTC).
 */
export function buildApiKeyRequest(values: Record<string, string>, scopes: ApiKeyScope[], now = Date.now()): ApiKeyCreate {
  const label = (values.label ?? '').trim();
  if (!label) throw clientError('label', 'Give the key a name, e.g. the bot that uses it');
  if (label.length > 100) throw clientError('label', 'At most 100 characters');
  if (scopes.length === 0) throw clientError('scopes', 'Tick at least one permission');
  const body: ApiKeyCreate = { label, scopes: SCOPES.map((s) => s.value).filter((s) => scopes.includes(s)) };
  const expires = (values.expires ?? '').trim();
  if (expires) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(expires)) throw clientError('expires_at', 'Pick a date');
    const at = Date.parse(`${expires}T23:59:59Z`);
    if (Number.isNaN(at) || new Date(at).toISOString().slice(0, 10) !== expires) throw clientError('expires_at', 'Pick a date');
    if (at <= now) throw clientError('expires_at', 'The expiry must be in the future');
    if (at > now + 365 * DAY_MS) throw clientError('expires_at', 'A key lives at most one year');
    body.expires_at = `${expires}T23:59:59Z`;
  }
  const allow = parseAllowList(values.allow_ips ?? '');
  if (allow.length > MAX_ALLOW) throw clientError('allow_ips', `At most ${MAX_ALLOW} addresses or ranges`);
  const bad = allow.find((a) => !isIpOrCidr(a));
  if (bad) throw clientError('allow_ips', `"${bad}" is not an IP address or CIDR range (e.g. 203.0.113.7 or 203.0.113.0/24)`);
  if (allow.length) body.allow_ips = allow;
  const otp = (values.otp ?? '').replace(/\s+/g, '');
  if (otp) {
    if (!/^\d{6}$/.test(otp)) throw clientError('otp', 'Enter the 6-digit code your app shows');
    body.otp = otp;
  }
  return body;
}

/** The default expiry shown in the form: in 90 days, as YYYY-MM-DD. */
export const defaultExpiry = (now = Date.now()) => new Date(now + 90 * DAY_MS).toISOString().slice(0, 10);
/** The latest expiry the date picker offers. */
export const maxExpiry = (now = Date.now()) => new Date(now + 364 * DAY_MS).toISOString().slice(0, 10);

/** How a key reads in the list: "read, trade · any address · expires 2027-01-31". */
export function describeKey(k: { scopes: string[]; allow_ips: string[]; expires_at: string; status: string }): string {
  const where = k.allow_ips.length ? `from ${k.allow_ips.join(', ')}` : 'any address';
  const when = k.status === 'active' ? `expires ${k.expires_at.slice(0, 10)}` : k.status;
  return `${k.scopes.join(', ')} · ${where} · ${when}`;
}
