import { describe, expect, it } from 'vitest';
import { bpAsPercent, checkFees } from './feeForm';

describe('fee form', () => {
  it('accepts whole basis points from 0 to 1000', () => {
    expect(checkFees({ maker: '10', taker: ' 20 ' })).toEqual({ ok: true, maker_fee_bp: 10, taker_fee_bp: 20 });
    expect(checkFees({ maker: '0', taker: '1000' })).toEqual({ ok: true, maker_fee_bp: 0, taker_fee_bp: 1000 });
  });
  it('names the field at fault', () => {
    expect(checkFees({ maker: '-1', taker: '20' })).toMatchObject({ ok: false, field: 'maker_fee_bp' });
    expect(checkFees({ maker: '1.5', taker: '20' })).toMatchObject({ ok: false, field: 'maker_fee_bp' });
    expect(checkFees({ maker: '10', taker: '1001' })).toMatchObject({ ok: false, field: 'taker_fee_bp' });
    expect(checkFees({ maker: '10', taker: '' })).toMatchObject({ ok: false, field: 'taker_fee_bp' });
  });
  it('shows basis points as an exact percentage', () => {
    expect(bpAsPercent(20)).toBe('0.20 %');
    expect(bpAsPercent(5)).toBe('0.05 %');
    expect(bpAsPercent(1000)).toBe('10.00 %');
  });
});
