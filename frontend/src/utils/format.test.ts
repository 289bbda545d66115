import { describe, expect, it } from 'vitest';
import { formatDate, formatKg, formatPeriod, formatRanges, formatTonnes, formatTs, parseTonnes } from './format';

describe('formatTonnes', () => {
  it('groups thousands and pads to three decimals without floating point', () => {
    expect(formatTonnes('25000.000')).toBe('25,000.000 t');
    expect(formatTonnes('1000.5')).toBe('1,000.500 t');
    expect(formatTonnes('0.001')).toBe('0.001 t');
    expect(formatTonnes('12')).toBe('12.000 t');
    expect(formatTonnes('-301.000', false)).toBe('-301.000');
  });
  it('keeps huge balances exact (beyond 2^53)', () => {
    expect(formatTonnes('9007199254740993.123')).toBe('9,007,199,254,740,993.123 t');
  });
  it('passes through what is not a decimal and marks empties', () => {
    expect(formatTonnes('n/a')).toBe('n/a');
    expect(formatTonnes('')).toBe('—');
    expect(formatTonnes(undefined)).toBe('—');
  });
});

describe('formatKg', () => {
  it('turns integer kilograms into tonnes', () => {
    expect(formatKg(25000000)).toBe('25,000.000 t');
    expect(formatKg(10250)).toBe('10.250 t');
    expect(formatKg(1)).toBe('0.001 t');
    expect(formatKg(0)).toBe('0.000 t');
    expect(formatKg(-99900)).toBe('-99.900 t');
    expect(formatKg(123456789012345678901n, false)).toBe('123,456,789,012,345,678.901');
  });
});

describe('parseTonnes', () => {
  it('accepts up to three decimals and yields integer kilograms', () => {
    expect(parseTonnes('10.25')).toEqual({ ok: true, kg: 10250n });
    expect(parseTonnes('1,000.5')).toEqual({ ok: true, kg: 1000500n });
    expect(parseTonnes(' 7 ')).toEqual({ ok: true, kg: 7000n });
    expect(parseTonnes('0.001')).toEqual({ ok: true, kg: 1n });
  });
  it('rejects zero, negatives, too many decimals and junk', () => {
    for (const bad of ['0', '0.000', '-1', '1.2345', 'abc', '', '1e3', '.5']) expect(parseTonnes(bad).ok, bad).toBe(false);
  });
});

describe('dates', () => {
  it('formats calendar dates and engine microsecond timestamps', () => {
    expect(formatDate('2025-01-01')).toBe('1 Jan 2025');
    expect(formatDate('2025-12-31')).toBe('31 Dec 2025');
    expect(formatDate('')).toBe('—');
    expect(formatDate('sometime')).toBe('sometime');
    expect(formatPeriod('2025-01-01', '2025-12-31')).toBe('1 Jan 2025 – 31 Dec 2025');
    expect(formatTs(1735689600000000)).toBe('2025-01-01 00:00 UTC');
    expect(formatTs(0)).toBe('—');
  });
  it('shows serial ranges with their tonnes', () => {
    expect(formatRanges([{ kg_from: 11000000, kg_to: 25000000, serials: '11001-25000' }])).toEqual(['11001-25000 (14,000.000 t)']);
    expect(formatRanges([{ kg_from: 0, kg_to: 2500, serials: '1-3' }])).toEqual(['1-3 (2.500 t)']);
  });
});
