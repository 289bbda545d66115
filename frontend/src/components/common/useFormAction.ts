// Runs a mutation from a form submit and keeps the mapped problem+json error for the fields.
import { useState, type FormEvent } from 'react';
import { toFormError, type FormError } from '../../utils/problem';

export function formValues(form: HTMLFormElement): Record<string, string> {
  const out: Record<string, string> = {};
  new FormData(form).forEach((v, k) => { out[k] = String(v).trim(); });
  return out;
}

export function useFormAction<T>(run: (values: Record<string, string>, form: HTMLFormElement) => Promise<T>) {
  const [error, setError] = useState<FormError | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<T | null>(null);
  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await run(formValues(form), form));
    } catch (err) {
      const fe = (err as { clientField?: string }).clientField
        ? { message: (err as Error).message, field: (err as { clientField: string }).clientField, code: 'CLIENT_INVALID' }
        : toFormError(err);
      setError(fe);
      const el = fe.field ? form.querySelector<HTMLElement>(`[name="${fe.field}"]`) : null;
      el?.focus();
    } finally {
      setBusy(false);
    }
  }
  return { onSubmit, error, busy, result, setError };
}

/** Throw from a form action to flag a field before anything is sent. */
export function clientError(field: string, message: string): Error {
  return Object.assign(new Error(message), { clientField: field });
}
