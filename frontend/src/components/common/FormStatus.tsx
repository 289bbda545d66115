// Form-level feedback: an error that names no field of this form, a success notice, and a
// busy indicator for long operations. Announced politely to screen readers.
import type { ReactNode } from 'react';
import { formLevelError, type FormError } from '../../utils/problem';

export function FormStatus({ error, fields, busy, success }: { error: FormError | null; fields: string[]; busy?: boolean; success?: ReactNode }) {
  const msg = formLevelError(error, fields);
  return (
    <div aria-live="polite">
      {busy ? <p className="busy" role="status">Working…</p> : null}
      {msg ? <p className="form-error" role="alert">{msg}</p> : null}
      {!msg && !busy && success ? <div className="success" role="status">{success}</div> : null}
    </div>
  );
}
