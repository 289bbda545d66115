import { describe, expect, it } from 'vitest';
import { cmpDecimal, feeMinor, formatMoney, fromScaled, isZero, kgRangeText, notionalMinor, parsePrice, toScaled } from './decimal';
import { describeCriteria, ineligibility } from './eligibility';

describe('decimal strings', () => {
  it('scales and formats exactly', () => {
    expect(toScaled('24.8', 2)).toBe(2480n);
    expect(toScaled('0.1', 2)! + toScaled('0.2', 2)!).toBe(30n);  // no 0.30000000000000004
    expect(toScaled('1.234', 2)).toBeNull();
    expect(toScaled('abc', 2)).toBeNull();
    expect(fromScaled(-5n, 2)).toBe('-0.05');
    expect(formatMoney('233097.27', 'USD')).toBe('233,097.27 USD');
    expect(formatMoney('9007199254740993.01')).toBe('9,007,199,254,740,993.01');  // beyond 2^53 stays exact
    expect(cmpDecimal('9.50', '10.00')).toBe(-1);
    expect(cmpDecimal('24.9', '24.90')).toBe(0);
    expect(isZero('0.000')).toBe(true);
    expect(isZero('0.001')).toBe(false);
  });
  it('notional and fee as the exchange computes them', () => {
    const n = notionalMinor(2480n, 5000n);
    expect(n).toBe(12400n);
    expect(feeMinor(n, 20)).toBe(24n);  // 0.24, floor
    expect(feeMinor(12399n, 20)).toBe(24n);
  });
  it('checks typed prices against the tick', () => {
    expect(parsePrice('24.80')).toEqual({ ok: true, minor: 2480n });
    expect(parsePrice('24.805').ok).toBe(false);
    expect(parsePrice('0').ok).toBe(false);
    expect(parsePrice('24.85', 10).ok).toBe(false);
    expect(parsePrice('24.80', 10).ok).toBe(true);
  });
  it('serial ranges of delivered kilograms', () => {
    expect(kgRangeText(5000000, 5050000)).toBe('5001-5050');
    expect(kgRangeText(5150000, 5155500)).toBe('5151-5156 (kg 5150000-5155500)');
    expect(kgRangeText(0, 1000, 11001)).toBe('11001-11001');
  });
});

describe('contract eligibility', () => {
  const latam = { standards: ['VCS', 'CX-NBS'], methodologies: [], countries: ['BR', 'CO', 'PE'], vintage_from: 2019, vintage_to: null, mitigation: 'any', nature: 'any', corsia: 'yes', corresponding_adjustment: 'any' };
  const serra = { vintage: 2024, country: 'BR', methodology: 'VM0047', corsia: 'yes', corresponding_adjustment: 'unknown', origin_registry: '', classCode: 'CX-NBS', mitigation: 'removal', nature: 'nature_based' };
  it('accepts a matching batch and names each failed criterion', () => {
    expect(ineligibility(latam, serra)).toEqual([]);
    expect(ineligibility(latam, { ...serra, country: 'KE', vintage: 2018, corsia: 'unknown' })).toEqual(['country KE not in BR, CO, PE', 'vintage 2018 before 2019', 'not CORSIA-eligible']);
    const nbr = { ...latam, standards: [], countries: [], corsia: 'any', vintage_from: 2020, mitigation: 'removal', nature: 'nature' };
    expect(ineligibility(nbr, serra)).toEqual([]);
    expect(ineligibility(nbr, { ...serra, nature: 'technical', mitigation: 'reduction' })).toEqual(['not a removal', 'not nature-based']);
    expect(ineligibility({ ...nbr, methodologies: ['VM00'] }, { ...serra, methodology: 'AMS-III.D' })[0]).toContain('methodology');
  });
  it('describes criteria in words', () => {
    expect(describeCriteria(latam)).toContainEqual(['Vintage', '2019 or later']);
    expect(describeCriteria(latam)).toContainEqual(['CORSIA eligible', 'required']);
  });
});
