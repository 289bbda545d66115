// Credit classes: list, and (admin) create one. buffer_bp is basis points of each issuance.
import { useCreateCreditClassMutation, useCreditClassesQuery } from '../../services/api';
import { Field } from '../common/Field';
import { FormStatus } from '../common/FormStatus';
import { QueryState } from '../common/Loading';
import { clientError, useFormAction } from '../common/useFormAction';

const FIELDS = ['code', 'name', 'standard', 'required_approvals', 'buffer_bp'];

export function formatBp(bp: number): string {
  return `${Math.trunc(bp / 100)}.${String(bp % 100).padStart(2, '0')} %`;
}

export function CreditClasses({ canEdit }: { canEdit: boolean }) {
  const q = useCreditClassesQuery();
  const [create] = useCreateCreditClassMutation();
  const f = useFormAction(async (v, form) => {
    if (!/^\d+$/.test(v.required_approvals)) throw clientError('required_approvals', 'A whole number of verifiers');
    if (!/^\d+$/.test(v.buffer_bp)) throw clientError('buffer_bp', 'Basis points, e.g. 2000 for 20 %');
    const r = await create({ code: v.code, name: v.name, standard: v.standard, required_approvals: Number(v.required_approvals), buffer_bp: Number(v.buffer_bp) }).unwrap();
    form.reset();
    return r;
  });
  return (
    <>
      <QueryState isLoading={q.isLoading} error={q.error} />
      <div className="table-wrap">
        <table>
          <caption>Credit classes</caption>
          <thead><tr><th scope="col">Code</th><th scope="col">Name</th><th scope="col">Standard</th><th scope="col" className="num">Approvals needed</th><th scope="col" className="num">Buffer share</th></tr></thead>
          <tbody>
            {(q.data?.items ?? []).map((c) => (
              <tr key={c.id}><td>{c.code}</td><td>{c.name}</td><td>{c.standard}</td><td className="num">{c.required_approvals}</td><td className="num">{formatBp(c.buffer_bp)}</td></tr>
            ))}
          </tbody>
        </table>
      </div>
      {canEdit ? (
        <form onSubmit={f.onSubmit} noValidate aria-label="Create a credit class">
          <h3>New credit class</h3>
          <Field label="Code" name="code" required error={f.error} />
          <Field label="Name" name="name" error={f.error} />
          <Field label="Standard" name="standard" error={f.error} />
          <Field label="Verifier approvals needed" name="required_approvals" defaultValue="1" inputMode="numeric" error={f.error} />
          <Field label="Buffer share (basis points)" name="buffer_bp" defaultValue="0" inputMode="numeric" error={f.error} />
          <FormStatus error={f.error} fields={FIELDS} busy={f.busy} success={f.result ? <p>Created {f.result.code}.</p> : null} />
          <button type="submit" disabled={f.busy}>Create credit class</button>
        </form>
      ) : null}
    </>
  );
}
