// Role checkboxes for one user, saved with PUT /users/{id}/roles.
import { useState } from 'react';
import { useSetRolesMutation } from '../../services/api';
import type { User } from '../../store/authSlice';
import { toFormError } from '../../utils/problem';

export const ROLES = ['trader', 'project_developer', 'verifier', 'admin', 'auditor'];

export function RolesEditor({ user }: { user: User }) {
  const [roles, setRoles] = useState<string[]>(user.roles);
  const [save, st] = useSetRolesMutation();
  const changed = [...roles].sort().join() !== [...user.roles].sort().join();
  return (
    <fieldset className="roles">
      <legend className="sr-only">Roles of {user.email}</legend>
      {ROLES.map((r) => (
        <label key={r} className="check">
          <input type="checkbox" checked={roles.includes(r)} onChange={(e) => setRoles(e.target.checked ? [...roles, r] : roles.filter((x) => x !== r))} />
          {r.replace('_', ' ')}
        </label>
      ))}
      <button type="button" disabled={!changed || st.isLoading} onClick={() => save({ id: user.id, roles })} aria-label={`Save roles of ${user.email}`}>Save</button>
      <span aria-live="polite">
        {st.error ? <span className="form-error" role="alert">{toFormError(st.error).message}</span> : null}
        {st.isSuccess && !changed ? <span className="success"> Saved.</span> : null}
      </span>
    </fieldset>
  );
}
