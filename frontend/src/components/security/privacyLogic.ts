// Pure logic of the Privacy section (Privacy.tsx): the consent purposes and what is in
// force, the erase request (a typed confirmation, then the password or a current code)
// and the messages for what blocks an erasure. The server checks everything again.
import { clientError } from '../common/useFormAction';
import type { ConsentList, EraseRequest } from '../../services/privacy.api';

/** The privacy-policy version the consents below refer to. */
export const POLICY_VERSION = '2026-01';
export const CONFIRM_WORD = 'ERASE';

export const PURPOSES: { purpose: string; label: string; hint: string }[] = [
  { purpose: 'marketing_email', label: 'Product news by email', hint: 'new markets and features, at most monthly' },
  { purpose: 'analytics', label: 'Usage analytics', hint: 'which pages are used, to improve them (no advertising)' },
  { purpose: 'research', label: 'Market research', hint: 'invitations to short surveys' },
];

/** The export's parts, in the order shown to the user. */
export const EXPORT_PARTS = ['profile', 'roles', 'consents', 'sessions', 'wallets', 'mfa', 'api_keys', 'cash', 'holdings',
  'orders', 'fills', 'retirements', 'withdrawals', 'audit'] as const;

/** Is `purpose` granted now (the latest decision; never asked = not granted)? */
export function isGranted(list: ConsentList | undefined, purpose: string): boolean {
  return list?.current?.[purpose]?.granted === true;
}

/** When the decision in force was recorded, as an ISO date, or null. */
export function decidedOn(list: ConsentList | undefined, purpose: string): string | null {
  const c = list?.current?.[purpose];
  return c ? new Date(Math.floor(c.recorded_us / 1000)).toISOString().slice(0, 10) : null;
}

/**
 * `values`: confirm (must be the word ERASE), password, otp. With the second factor on, a
 * current code may stand in for the password.
 */
export function buildEraseRequest(values: Record<string, string>, mfaEnabled: boolean): EraseRequest {
  if ((values.confirm ?? '').trim() !== CONFIRM_WORD) throw clientError('confirm', `Type ${CONFIRM_WORD} to confirm`);
  const password = values.password ?? '';
  const otp = (values.otp ?? '').replace(/\s+/g, '');
  if (password) return { password };
  if (mfaEnabled && otp) {
    if (!/^\d{6}$/.test(otp)) throw clientError('otp', 'Enter the 6-digit code your app shows');
    return { otp };
  }
  throw clientError('password', mfaEnabled ? 'Enter your password or a current code' : 'Enter your password');
}

/** What a 409 from /me/erase means (its `field` names the blocker). */
export function blockerMessage(field: string | undefined): string | null {
  switch (field) {
    case 'open_orders': return 'You have open orders: cancel them first (Trade page).';
    case 'pending_withdrawals': return 'A withdrawal is waiting for an admin’s decision: wait for it first.';
    case 'locked_cash': return 'Some of your cash is locked by an order or a withdrawal: wait until it is released.';
    case 'locked_credits': return 'Some of your credits are escrowed by an order: cancel it first.';
    default: return null;
  }
}

/** File name of the download: carbonxchange-export-<user>-<YYYY-MM-DD>.json. */
export function exportFileName(user: number, now = new Date()): string {
  return `carbonxchange-export-${user}-${now.toISOString().slice(0, 10)}.json`;
}
