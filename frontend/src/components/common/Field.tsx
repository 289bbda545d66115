// A labelled form control that shows the server's error for its `name` (problem+json `field`)
// right under it, wired for screen readers (aria-invalid, aria-describedby).
import { useId, type ReactNode } from 'react';
import { fieldError, type FormError } from '../../utils/problem';

interface Props {
  label: string;
  name: string;
  error?: FormError | null;
  type?: string;
  required?: boolean;
  defaultValue?: string;
  placeholder?: string;
  hint?: string;
  options?: Array<{ value: string; label: string }>;
  multiline?: boolean;
  autoComplete?: string;
  inputMode?: 'text' | 'decimal' | 'numeric' | 'email';
  children?: ReactNode;
}

export function Field(p: Props) {
  const id = useId();
  const msg = fieldError(p.error, p.name);
  const describedBy = [p.hint ? `${id}-hint` : '', msg ? `${id}-err` : ''].filter(Boolean).join(' ') || undefined;
  const common = {
    id, name: p.name, required: p.required, defaultValue: p.defaultValue,
    'aria-invalid': msg ? true : undefined, 'aria-describedby': describedBy,
  };
  return (
    <div className={`field${msg ? ' has-error' : ''}`}>
      <label htmlFor={id}>{p.label}{p.required ? <span aria-hidden="true"> *</span> : null}</label>
      {p.options ? (
        <select {...common}>
          {p.options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
        </select>
      ) : p.multiline ? (
        <textarea {...common} placeholder={p.placeholder} rows={3} />
      ) : (
        <input {...common} type={p.type ?? 'text'} placeholder={p.placeholder} autoComplete={p.autoComplete} inputMode={p.inputMode} />
      )}
      {p.hint ? <small id={`${id}-hint`} className="hint">{p.hint}</small> : null}
      {msg ? <p id={`${id}-err`} className="field-error" role="alert" data-field-error={p.name}>{msg}</p> : null}
    </div>
  );
}
