export function base32Decode(s: string): Buffer;
export function stepNow(ms?: number): number;
export function totpAt(secretB32: string, step: number): string;
export function codes(secretB32: string): { next(): Promise<string>; wrong(): string };
