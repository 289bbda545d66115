// Maps an RTK Query / fetch error to what a form shows: a message, the stable code and the
// field at fault (from RFC 9457 problem+json {code, detail, field}). Pure.

export interface FormError { message: string; code?: string; field?: string; status?: number }

const FRIENDLY: Record<string, string> = {
  AUTH_BAD_CREDENTIALS: 'Wrong email or password.',
  AUTH_EMAIL_TAKEN: 'An account with this email already exists.',
  AUTH_FORBIDDEN: 'Your roles do not allow this action.',
  REGISTRY_INSUFFICIENT_CREDITS: 'Not enough credits for this quantity.',
};

// The same code means something else next to some fields (a wrong one-time code is not a
// wrong password).
const FRIENDLY_BY_FIELD: Record<string, string> = {
  'AUTH_BAD_CREDENTIALS/otp': 'Wrong code, or a code already used: wait for the next one.',
  'AUTH_BAD_CREDENTIALS/code': 'Wrong code, or a code already used: wait for the next one.',
  'AUTH_BAD_CREDENTIALS/recovery_code': 'Unknown or already used recovery code.',
  'AUTH_BAD_CREDENTIALS/signature': 'The signature does not belong to the wallet address in the message.',
};

export function toFormError(err: unknown): FormError {
  if (err && typeof err === 'object') {
    const e = err as { status?: unknown; data?: unknown; error?: unknown; message?: unknown };
    const d = e.data as { code?: string; detail?: string; field?: string; title?: string } | undefined;
    if (d && typeof d === 'object' && typeof d.code === 'string') {
      const base = (d.field && FRIENDLY_BY_FIELD[`${d.code}/${d.field}`]) || FRIENDLY[d.code];
      const detail = d.detail && d.detail.length ? d.detail : d.title ?? d.code;
      return {
        message: base ? (d.detail && d.detail !== base ? `${base} (${d.detail})` : base) : detail,
        code: d.code,
        field: d.field || undefined,
        status: typeof e.status === 'number' ? e.status : undefined,
      };
    }
    if (e.status === 'FETCH_ERROR') return { message: 'The server cannot be reached. Check your connection and try again.', code: 'NETWORK' };
    if (e.status === 'PARSING_ERROR') return { message: 'The server sent an unexpected reply.', code: 'PARSE' };
    if (typeof e.status === 'number') return { message: `Request failed (HTTP ${e.status}).`, status: e.status };
    if (typeof e.message === 'string') return { message: e.message };
  }
  return { message: 'Something went wrong.' };
}

/** The message for one field, or undefined when the error belongs elsewhere. */
export function fieldError(err: FormError | null | undefined, field: string): string | undefined {
  return err && err.field === field ? err.message : undefined;
}

/** The message to show at form level: errors without a field, or naming a field the form lacks. */
export function formLevelError(err: FormError | null | undefined, fields: string[]): string | undefined {
  if (!err) return undefined;
  if (err.field && fields.includes(err.field)) return undefined;
  return err.field ? `${err.message} (field: ${err.field})` : err.message;
}
