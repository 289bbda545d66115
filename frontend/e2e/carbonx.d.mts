export const ROOT: string;
export const BIN: string;
export function startCarbonx(opts?: { demo?: boolean; staticDir?: string }): Promise<{ url: string; data: string; log: () => string; stop: () => Promise<void> }>;
