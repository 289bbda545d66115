// Settings / API keys: create a key for a bot (label, permissions, expiry, optional IP
// allow-list; a current code when the second factor is on), see its secret ONCE with a copy
// button, list keys (never their secrets) and revoke them. Errors show next to their field.
// The form's rules live in apiKeyForm.ts (tested); the server checks everything again.
import { useState } from 'react';
import { Field } from '../common/Field';
import { FormStatus } from '../common/FormStatus';
import { QueryState } from '../common/Loading';
import { useFormAction } from '../common/useFormAction';
import { fieldError } from '../../utils/problem';
import { useMfaStatusQuery } from '../../services/api';
import {
  useApiKeysQuery, useCreateApiKeyMutation, useRevokeApiKeyMutation, type ApiKeyScope, type ApiKeyWithSecret,
} from '../../services/apikeys.api';
import { SCOPES, buildApiKeyRequest, defaultExpiry, describeKey, maxExpiry } from './apiKeyForm';

function Secret({ k, onDone }: { k: ApiKeyWithSecret; onDone: () => void }) {
  const [copied, setCopied] = useState<string | null>(null);
  async function copy(what: string, text: string) {
    try { await navigator.clipboard.writeText(text); setCopied(what); } catch { setCopied(null); }
  }
  return (
    <div role="region" aria-labelledby="h-key-secret" className="secret-once">
      <h3 id="h-key-secret">Key “{k.label}” created</h3>
      <p><strong>Copy the secret now: it is shown only this once.</strong> The server keeps no copy; if it is lost, revoke the key and create another.</p>
      <dl>
        <dt>Key id (header X-CX-Key)</dt>
        <dd><code className="mono" data-testid="api-key-id">{k.id}</code>{' '}
          <button type="button" className="secondary" onClick={() => copy('id', k.id)}>Copy id</button></dd>
        <dt>Secret (signs requests; never sent)</dt>
        <dd><code className="mono" data-testid="api-key-secret">{k.secret}</code>{' '}
          <button type="button" className="secondary" onClick={() => copy('secret', k.secret)}>Copy secret</button></dd>
      </dl>
      {copied ? <p role="status">Copied the {copied} to the clipboard.</p> : null}
      <p className="hint">Sign each request: X-CX-Timestamp (unix ms) and X-CX-Signature = hex HMAC-SHA256(secret,
        timestamp + "\n" + METHOD + "\n" + path?query + "\n" + hex SHA-256(body)).</p>
      <button type="button" onClick={onDone}>I have saved the secret</button>
    </div>
  );
}

function CreateKey({ mfaOn, onCreated }: { mfaOn: boolean; onCreated: (k: ApiKeyWithSecret) => void }) {
  const [create] = useCreateApiKeyMutation();
  const [scopes, setScopes] = useState<ApiKeyScope[]>(['read']);
  const f = useFormAction(async (v, form) => {
    const k = await create(buildApiKeyRequest(v, scopes)).unwrap();
    form.reset();
    setScopes(['read']);
    onCreated(k);
    return k;
  });
  const scopeErr = fieldError(f.error, 'scopes');
  return (
    <form onSubmit={f.onSubmit} noValidate aria-label="Create an API key">
      <Field label="Name" name="label" required error={f.error} placeholder="market-maker bot" hint="Only for you, to tell keys apart." />
      <fieldset aria-describedby={scopeErr ? 'api-key-scopes-err' : undefined} aria-invalid={scopeErr ? true : undefined}>
        <legend>Permissions</legend>
        {SCOPES.map((s) => (
          <label key={s.value} className="check">
            <input type="checkbox" name="scopes" value={s.value} checked={scopes.includes(s.value)}
              onChange={(e) => setScopes(e.target.checked ? [...scopes, s.value] : scopes.filter((x) => x !== s.value))} />
            {' '}{s.label} <small className="hint">— {s.hint}</small>
          </label>
        ))}
        {scopeErr ? <p id="api-key-scopes-err" className="field-error" role="alert" data-field-error="scopes">{scopeErr}</p> : null}
      </fieldset>
      <div className="field">
        <label htmlFor="api-key-expires">Expires on</label>
        <input id="api-key-expires" name="expires" type="date" defaultValue={defaultExpiry()} max={maxExpiry()}
          aria-invalid={fieldError(f.error, 'expires_at') ? true : undefined} aria-describedby="api-key-expires-hint api-key-expires-err" />
        <small id="api-key-expires-hint" className="hint">At most a year; the key stops working at the end of that day (UTC).</small>
        {fieldError(f.error, 'expires_at')
          ? <p id="api-key-expires-err" className="field-error" role="alert" data-field-error="expires_at">{fieldError(f.error, 'expires_at')}</p>
          : null}
      </div>
      <Field label="Allowed IP addresses (optional)" name="allow_ips" multiline error={f.error}
        hint="Addresses or CIDR ranges, separated by commas or new lines (203.0.113.7, 2001:db8::/32). Empty: any address." />
      {mfaOn ? <Field label="Current code from your authenticator app" name="otp" required error={f.error} inputMode="numeric" autoComplete="one-time-code" /> : null}
      <FormStatus error={f.error} fields={['label', 'scopes', 'expires_at', 'allow_ips', ...(mfaOn ? ['otp'] : [])]} busy={f.busy} />
      <button type="submit" disabled={f.busy}>Create key</button>
    </form>
  );
}

export function ApiKeys() {
  const keys = useApiKeysQuery();
  const mfa = useMfaStatusQuery();
  const [revoke, revoking] = useRevokeApiKeyMutation();
  const [created, setCreated] = useState<ApiKeyWithSecret | null>(null);
  const [revokeError, setRevokeError] = useState<string | null>(null);
  const items = keys.data?.items ?? [];
  async function onRevoke(id: string, label: string) {
    if (!window.confirm(`Revoke the key “${label}”? Bots using it stop working at once.`)) return;
    setRevokeError(null);
    try { await revoke(id).unwrap(); } catch (e) { setRevokeError((e as { data?: { detail?: string } }).data?.detail ?? 'Revoking failed.'); }
  }
  return (
    <section aria-labelledby="h-api-keys">
      <h2 id="h-api-keys">API keys</h2>
      <p>Keys let a program (a trading bot) call the API as you, limited to the permissions you tick. A key cannot
        create keys or change your roles, second factor, wallets or sessions.</p>
      {created ? <Secret k={created} onDone={() => setCreated(null)} /> : <CreateKey mfaOn={!!mfa.data?.enabled} onCreated={setCreated} />}
      <h3>Your keys</h3>
      <QueryState isLoading={keys.isLoading} error={keys.error} />
      {revokeError ? <p className="form-error" role="alert">{revokeError}</p> : null}
      {keys.data && items.length === 0 ? <p>No keys yet.</p> : null}
      {items.length ? (
        <table aria-label="API keys" data-testid="api-keys">
          <thead><tr><th>Name</th><th>Key id</th><th>Permissions · addresses · expiry</th><th>Created</th><th /></tr></thead>
          <tbody>
            {items.map((k) => (
              <tr key={k.id} className={k.status === 'active' ? undefined : 'muted'}>
                <td>{k.label}</td>
                <td><code className="mono">{k.id}</code></td>
                <td>{describeKey(k)}</td>
                <td>{k.created_at.slice(0, 10)}</td>
                <td>{k.status === 'active'
                  ? <button type="button" className="danger" disabled={revoking.isLoading} onClick={() => onRevoke(k.id, k.label)}>Revoke</button>
                  : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
}
