import { describe, expect, it } from 'vitest';
import { blockerMessage, buildEraseRequest, decidedOn, exportFileName, isGranted } from './privacyLogic';
import type { ConsentList } from '../../services/privacy.api';

const list: ConsentList = {
  items: [
    { purpose: 'analytics', granted: true, policy_version: '2026-01', recorded_us: 1_767_225_600_000_000 },
    { purpose: 'analytics', granted: false, policy_version: '2026-01', recorded_us: 1_767_312_000_000_000 },
    { purpose: 'marketing_email', granted: true, policy_version: '2026-01', recorded_us: 1_767_225_600_000_000 },
  ],
  current: {
    analytics: { purpose: 'analytics', granted: false, policy_version: '2026-01', recorded_us: 1_767_312_000_000_000 },
    marketing_email: { purpose: 'marketing_email', granted: true, policy_version: '2026-01', recorded_us: 1_767_225_600_000_000 },
  },
};

const fieldOf = (f: () => unknown) => {
  try { f(); } catch (e) { return (e as { clientField?: string }).clientField; }
  return undefined;
};

describe('consents', () => {
  it('the latest decision is in force; never asked means not granted', () => {
    expect(isGranted(list, 'marketing_email')).toBe(true);
    expect(isGranted(list, 'analytics')).toBe(false);
    expect(isGranted(list, 'research')).toBe(false);
    expect(isGranted(undefined, 'analytics')).toBe(false);
    expect(decidedOn(list, 'analytics')).toBe('2026-01-02');
    expect(decidedOn(list, 'research')).toBeNull();
  });
});

describe('erase request', () => {
  it('needs the typed confirmation first', () => {
    expect(fieldOf(() => buildEraseRequest({ confirm: 'erase', password: 'x' }, false))).toBe('confirm');
    expect(fieldOf(() => buildEraseRequest({ password: 'x' }, false))).toBe('confirm');
  });
  it('sends the password, or a current code when the second factor is on', () => {
    expect(buildEraseRequest({ confirm: 'ERASE', password: 'pw 123456' }, false)).toEqual({ password: 'pw 123456' });
    expect(buildEraseRequest({ confirm: 'ERASE', password: 'pw', otp: '123456' }, true)).toEqual({ password: 'pw' });
    expect(buildEraseRequest({ confirm: 'ERASE', otp: '123 456' }, true)).toEqual({ otp: '123456' });
    expect(fieldOf(() => buildEraseRequest({ confirm: 'ERASE', otp: '12345' }, true))).toBe('otp');
    expect(fieldOf(() => buildEraseRequest({ confirm: 'ERASE', otp: '123456' }, false))).toBe('password');
    expect(fieldOf(() => buildEraseRequest({ confirm: 'ERASE' }, true))).toBe('password');
  });
  it('explains each blocker the server names', () => {
    for (const f of ['open_orders', 'pending_withdrawals', 'locked_cash', 'locked_credits'])
      expect(blockerMessage(f)).toMatch(/\w/);
    expect(blockerMessage('password')).toBeNull();
    expect(blockerMessage(undefined)).toBeNull();
  });
});

describe('export', () => {
  it('names the file after the user and the day', () => {
    expect(exportFileName(42, new Date('2026-03-04T10:00:00Z'))).toBe('carbonxchange-export-42-2026-03-04.json');
  });
});
