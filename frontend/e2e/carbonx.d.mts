export const ROOT: string;
export const BIN: string;
export function startCarbonx(opts?: { demo?: boolean; staticDir?: string; mfa?: boolean; sanctions?: string; args?: string[]; env?: Record<string, string> }): Promise<{ url: string; data: string; log: () => string; stop: () => Promise<void> }>;
export function kycVerify(url: string, adminToken: string, userToken: string, level?: 'basic' | 'full', details?: Record<string, unknown>): Promise<Record<string, unknown>>;
export function checkAxe(page: unknown, name: string, report: Record<string, unknown>, check: (cond: boolean, what: string) => void): Promise<void>;
