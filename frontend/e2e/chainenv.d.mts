// Types of chainenv.mjs (used by the Vitest chain test).
export const ROOT: string;
export const CHAIN_DIR: string;
export const ANVIL: string;
export const ACCOUNTS: { address: string; key: string }[];
export function freePort(): Promise<number>;
export function rpc(url: string, method: string, params?: unknown[]): Promise<any>;
export function startAnvil(o?: { blockTime?: number }): Promise<{ url: string; port: number; stop(): Promise<void> }>;
export function deploy(url: string, env?: Record<string, string>): Promise<{ file: string; dir: string; record: any; cleanup(): void }>;
export function anvilProvider(url: string, address: string): { calls: string[]; request(a: { method: string; params?: unknown[] }): Promise<any>; on(e: string, f: (x: unknown) => void): void; removeListener(e: string, f: (x: unknown) => void): void };
export function browserProviderScript(url: string, address: string, o?: { startChainId?: number | bigint }): string;
