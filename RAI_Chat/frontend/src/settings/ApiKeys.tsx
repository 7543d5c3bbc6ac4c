import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { createApiKey, getUsage, listApiKeys, revokeApiKey, type ApiKey, type Usage } from '../api/apiKeys';

const EXPIRIES: Array<{ value: string; label: string }> = [
  { value: '', label: 'Never' },
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year' },
];

function day(iso: string | null): string {
  return iso ? new Date(iso).toLocaleDateString() : '';
}

function keyState(key: ApiKey): string {
  if (key.revoked_at) return `revoked ${day(key.revoked_at)}`;
  if (!key.active) return `expired ${day(key.expires_at)}`;
  return key.expires_at ? `expires ${day(key.expires_at)}` : 'never expires';
}

/**
 * Personal API keys for OpenAI-compatible clients (create, with the secret shown once; list;
 * revoke) and the tokens the user's answers used, in total and per key.
 */
export function ApiKeys({ open }: { open: boolean }) {
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [usage, setUsage] = useState<Usage | null>(null);
  const [name, setName] = useState('');
  const [expiry, setExpiry] = useState('');
  const [secret, setSecret] = useState<{ name: string; value: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async (signal?: AbortSignal) => {
    try {
      const [list, used] = await Promise.all([listApiKeys(signal), getUsage(signal)]);
      if (signal?.aborted) return;
      setKeys(list);
      setUsage(used);
    } catch (err) {
      if (!signal?.aborted) setError(err instanceof Error ? err.message : String(err));
    }
  }, []);

  useEffect(() => {
    if (!open) return;
    const controller = new AbortController();
    void load(controller.signal);
    return () => controller.abort();
  }, [open, load]);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) return;
    setBusy(true);
    setError(null);
    try {
      const made = await createApiKey({ name: name.trim(), ...(expiry ? { expires_in_days: Number(expiry) } : {}) });
      setSecret({ name: made.key.name, value: made.secret });
      setName('');
      await load();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (key: ApiKey) => {
    setBusy(true);
    setError(null);
    try {
      await revokeApiKey(key.id);
      await load();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  const used = (id: string) => usage?.by_key.find((u) => u.key_id === id)?.total_tokens ?? 0;

  return (
    <section className="settings-section" aria-labelledby="keys-heading">
      <h3 id="keys-heading">API keys</h3>
      <p className="muted">
        For scripts and other chat apps: point an OpenAI client at <code>{`${window.location.origin}/v1`}</code> with a key. What they say is
        saved and remembered like a chat here.
      </p>
      <form onSubmit={(e) => void create(e)} className="api-key-form">
        <label htmlFor="key-name" className="field-label">
          Name of a new key
        </label>
        <input id="key-name" value={name} maxLength={100} onChange={(e) => setName(e.target.value)} placeholder="e.g. laptop script" />
        <label htmlFor="key-expiry" className="field-label">
          Expires
        </label>
        <select id="key-expiry" value={expiry} onChange={(e) => setExpiry(e.target.value)}>
          {EXPIRIES.map((x) => (
            <option key={x.value} value={x.value}>
              {x.label}
            </option>
          ))}
        </select>
        <div className="button-row">
          <button type="submit" className="button button-primary" disabled={busy || !name.trim()}>
            Create key
          </button>
        </div>
      </form>
      {secret && (
        <div role="status" className="api-key-secret">
          <p>
            The key “{secret.name}” — copy it now, it will not be shown again:
          </p>
          <code aria-label="New API key">{secret.value}</code>
          <div className="button-row">
            <button type="button" className="button button-small" onClick={() => void navigator.clipboard?.writeText(secret.value)}>
              Copy
            </button>
            <button type="button" className="button button-small" onClick={() => setSecret(null)}>
              Done
            </button>
          </div>
        </div>
      )}
      {error && (
        <p role="alert" className="form-error">
          {error}
        </p>
      )}
      {keys && keys.length === 0 && <p className="muted">No keys yet.</p>}
      {keys && keys.length > 0 && (
        <ul className="api-key-list" aria-label="Your API keys">
          {keys.map((key) => (
            <li key={key.id}>
              <span>
                <strong>{key.name}</strong> <code>{key.prefix}…</code>{' '}
                <span className="muted">
                  {keyState(key)} · {used(key.id)} tokens
                </span>
              </span>
              {key.active && (
                <button type="button" className="button button-small button-danger-outline" disabled={busy} onClick={() => void revoke(key)} aria-label={`Revoke ${key.name}`}>
                  Revoke
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {usage && (
        <p className="muted" aria-label="Token usage">
          Used so far: {usage.usage.prompt_tokens} prompt + {usage.usage.completion_tokens} answer tokens in {usage.usage.requests} answers.
        </p>
      )}
    </section>
  );
}
