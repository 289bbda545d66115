// Query state: a loading line or the error of a failed query.
import { toFormError } from '../../utils/problem';

export function QueryState({ isLoading, error }: { isLoading: boolean; error?: unknown }) {
  if (isLoading) return <p role="status">Loading…</p>;
  if (error) return <p className="form-error" role="alert">{toFormError(error).message}</p>;
  return null;
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge badge-${status}`}>{status.replace(/_/g, ' ')}</span>;
}
