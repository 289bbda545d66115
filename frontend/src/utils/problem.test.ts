import { describe, expect, it } from 'vitest';
import { fieldError, formLevelError, toFormError } from './problem';

const problem = (status: number, code: string, detail?: string, field?: string) => ({
  status, data: { type: `https://carbonx.dev/errors/${code}`, title: 'x', status, code, detail, field },
});

describe('toFormError', () => {
  it('maps problem+json to message, code and field', () => {
    const e = toFormError(problem(400, 'REQUEST_INVALID_FIELD', 'at least 8 characters', 'password'));
    expect(e).toEqual({ message: 'at least 8 characters', code: 'REQUEST_INVALID_FIELD', field: 'password', status: 400 });
  });
  it('uses friendly text for known codes and keeps the detail', () => {
    const e = toFormError(problem(422, 'REGISTRY_INSUFFICIENT_CREDITS', 'holds 10.250 t', 'quantity'));
    expect(e.message).toBe('Not enough credits for this quantity. (holds 10.250 t)');
    expect(e.field).toBe('quantity');
    expect(toFormError(problem(401, 'AUTH_BAD_CREDENTIALS')).message).toBe('Wrong email or password.');
  });
  it('handles empty field, network, parse and unknown errors', () => {
    expect(toFormError(problem(409, 'REGISTRY_BAD_STATE', 'not submitted', '')).field).toBeUndefined();
    expect(toFormError({ status: 'FETCH_ERROR', error: 'TypeError' }).code).toBe('NETWORK');
    expect(toFormError({ status: 'PARSING_ERROR', data: '<html>' }).code).toBe('PARSE');
    expect(toFormError({ status: 502, data: 'bad gateway' }).message).toBe('Request failed (HTTP 502).');
    expect(toFormError(new Error('boom')).message).toBe('boom');
    expect(toFormError(undefined).message).toBe('Something went wrong.');
  });
});

describe('field placement', () => {
  const e = toFormError(problem(400, 'REQUEST_MISSING_FIELD', 'required', 'beneficiary'));
  it('puts the error on its field only', () => {
    expect(fieldError(e, 'beneficiary')).toBe('required');
    expect(fieldError(e, 'quantity')).toBeUndefined();
    expect(formLevelError(e, ['beneficiary', 'quantity'])).toBeUndefined();
  });
  it('shows it at form level when the form has no such field', () => {
    expect(formLevelError(e, ['quantity'])).toBe('required (field: beneficiary)');
    expect(formLevelError(toFormError(problem(403, 'AUTH_FORBIDDEN', 'no')), ['x'])).toBe('Your roles do not allow this action. (no)');
    expect(formLevelError(null, [])).toBeUndefined();
  });
});

describe('second-factor wording', () => {
  it('a wrong one-time code is not called a wrong password', () => {
    const otp = toFormError(problem(401, 'AUTH_BAD_CREDENTIALS', 'wrong code', 'otp'));
    expect(otp.message).toBe('Wrong code, or a code already used: wait for the next one. (wrong code)');
    expect(fieldError(otp, 'otp')).toBe(otp.message);
    expect(toFormError(problem(401, 'AUTH_BAD_CREDENTIALS', '', 'recovery_code')).message).toBe('Unknown or already used recovery code.');
    expect(toFormError(problem(401, 'AUTH_BAD_CREDENTIALS', 'wrong email or password')).message).toBe('Wrong email or password. (wrong email or password)');
  });
});
