// Sign in and sign up. Tokens go to the auth slice (access token in memory only).
import { Link, useNavigate } from 'react-router-dom';
import { useLoginMutation, useRegisterMutation } from '../services/api';
import { useAppDispatch } from '../store/hooks';
import { signedIn } from '../store/authSlice';
import { Field } from '../components/common/Field';
import { FormStatus } from '../components/common/FormStatus';
import { clientError, useFormAction } from '../components/common/useFormAction';

export function SignInPage() {
  const [login] = useLoginMutation();
  const dispatch = useAppDispatch();
  const navigate = useNavigate();
  const f = useFormAction(async (v) => {
    const t = await login({ email: v.email, password: v.password }).unwrap();
    dispatch(signedIn(t));
    const roles = t.user?.roles ?? [];
    navigate(roles.includes('project_developer') ? '/developer' : roles.includes('verifier') ? '/verifier' : roles.includes('admin') ? '/admin' : '/portfolio');
    return t;
  });
  return (
    <section className="narrow">
      <h1>Sign in</h1>
      <form onSubmit={f.onSubmit} noValidate>
        <Field label="Email" name="email" type="email" autoComplete="username" required error={f.error} inputMode="email" />
        <Field label="Password" name="password" type="password" autoComplete="current-password" required error={f.error} />
        <FormStatus error={f.error} fields={['email', 'password']} busy={f.busy} />
        <button type="submit" disabled={f.busy}>Sign in</button>
      </form>
      <p>No account yet? <Link to="/signup">Sign up</Link></p>
    </section>
  );
}

export function SignUpPage() {
  const [register] = useRegisterMutation();
  const [login] = useLoginMutation();
  const dispatch = useAppDispatch();
  const navigate = useNavigate();
  const f = useFormAction(async (v) => {
    if (v.password !== v.password2) throw clientError('password2', 'The passwords do not match');
    const roles = v.roles === 'project_developer' ? ['trader', 'project_developer'] : ['trader'];
    await register({ email: v.email, password: v.password, display_name: v.display_name || undefined, roles }).unwrap();
    const t = await login({ email: v.email, password: v.password }).unwrap();
    dispatch(signedIn(t));
    navigate(roles.includes('project_developer') ? '/developer' : '/portfolio');
    return t;
  });
  return (
    <section className="narrow">
      <h1>Sign up</h1>
      <form onSubmit={f.onSubmit} noValidate>
        <Field label="Email" name="email" type="email" autoComplete="username" required error={f.error} inputMode="email" />
        <Field label="Display name" name="display_name" error={f.error} autoComplete="name" />
        <Field label="Password" name="password" type="password" autoComplete="new-password" required error={f.error} hint="At least 8 characters." />
        <Field label="Repeat password" name="password2" type="password" autoComplete="new-password" required error={f.error} />
        <Field label="I am a" name="roles" error={f.error} options={[
          { value: 'trader', label: 'Buyer / trader' }, { value: 'project_developer', label: 'Project developer (also a trader)' },
        ]} />
        <FormStatus error={f.error} fields={['email', 'display_name', 'password', 'password2', 'roles']} busy={f.busy} />
        <button type="submit" disabled={f.busy}>Create account</button>
      </form>
      <p>Already registered? <Link to="/signin">Sign in</Link></p>
    </section>
  );
}
