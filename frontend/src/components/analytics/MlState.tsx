// Loading / error line for an analytics query. "Not enough data yet" (ML_INSUFFICIENT_DATA)
// and "model not ready" (503) are normal states of a young market, so they read as a note,
// not as an alert; any other failure is an alert.
import { toFormError } from '../../utils/problem';

export function isExpectedGap(error: unknown): boolean {
  const e = toFormError(error);
  return e.code === 'ML_INSUFFICIENT_DATA' || e.status === 503;
}

export function MlState({ isLoading, error, what }: { isLoading: boolean; error?: unknown; what: string }) {
  if (isLoading) return <p role="status">Computing {what}…</p>;
  if (!error) return null;
  const e = toFormError(error);
  if (isExpectedGap(error)) return <p className="notice" data-testid="ml-gap">No {what} yet: {e.message}.</p>;
  return <p className="form-error" role="alert">{e.message}</p>;
}
