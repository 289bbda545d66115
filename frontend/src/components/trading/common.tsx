// Small pieces shared by the trading components: a controlled labelled field that shows
// the server's error for its name (like common/Field), the market phase badge, and the
// 24 h change in words.
import { useId, type ReactNode } from 'react';
import { fieldError, type FormError } from '../../utils/problem';

interface FieldProps {
  label: string; name: string; value: string; onChange: (v: string) => void; error?: FormError | null; hint?: string;
  options?: Array<{ value: string; label: string; disabled?: boolean }>; type?: string; inputMode?: 'decimal' | 'numeric' | 'text';
  required?: boolean; placeholder?: string; inputRef?: (el: HTMLInputElement | null) => void; children?: ReactNode;
}

export function CField(p: FieldProps) {
  const id = useId();
  const msg = fieldError(p.error, p.name);
  const describedBy = [p.hint ? `${id}-hint` : '', msg ? `${id}-err` : ''].filter(Boolean).join(' ') || undefined;
  const common = { id, name: p.name, 'aria-invalid': msg ? true : undefined, 'aria-describedby': describedBy, required: p.required };
  return (
    <div className={`field${msg ? ' has-error' : ''}`}>
      <label htmlFor={id}>{p.label}{p.required ? <span aria-hidden="true"> *</span> : null}</label>
      {p.options ? (
        <select {...common} value={p.value} onChange={(e) => p.onChange(e.target.value)}>
          {p.options.map((o) => <option key={o.value} value={o.value} disabled={o.disabled}>{o.label}</option>)}
        </select>
      ) : (
        <input {...common} ref={p.inputRef} type={p.type ?? 'text'} inputMode={p.inputMode} placeholder={p.placeholder} value={p.value}
          onChange={(e) => p.onChange(e.target.value)} autoComplete="off" />
      )}
      {p.hint ? <small id={`${id}-hint`} className="hint">{p.hint}</small> : null}
      {msg ? <p id={`${id}-err`} className="field-error" role="alert" data-field-error={p.name}>{msg}</p> : null}
    </div>
  );
}

export function PhaseBadge({ phase, reason }: { phase: string; reason?: string }) {
  const cls = phase === 'continuous' ? 'badge-validated' : phase === 'halted' ? 'badge-rejected' : 'badge-pending';
  return <span className={`badge ${cls}`} title={reason || undefined}>{phase.replace(/_/g, ' ')}{reason ? `: ${reason}` : ''}</span>;
}

/** change_bp 122 -> "+1.22 %" (integer arithmetic). */
export function formatBp(bp: number | null | undefined): string {
  if (bp === null || bp === undefined) return '—';
  const sign = bp > 0 ? '+' : bp < 0 ? '−' : '';
  const a = Math.abs(Math.trunc(bp));
  return `${sign}${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')} %`;
}

/** A horizontally scrollable table container that keyboard users can focus and scroll. */
export function TableWrap({ label, className, children }: { label: string; className?: string; children: ReactNode }) {
  return <div className={`table-wrap${className ? ` ${className}` : ''}`} tabIndex={0} role="region" aria-label={label}>{children}</div>;
}
