import { useCallback, useEffect, useState } from 'react';
import { getAllUsage, listAllApiKeys, revokeApiKey, type ApiKey, type UserUsage } from '../api/apiKeys';

/** Administrators: every user's token usage and API keys; any active key can be revoked. */
export function AdminKeys({ open }: { open: boolean }) {
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [users, setUsers] = useState<UserUsage[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async (signal?: AbortSignal) => {
    try {
      const [all, usage] = await Promise.all([listAllApiKeys(signal), getAllUsage(signal)]);
      if (signal?.aborted) return;
      setKeys(all);
      setUsers(usage);
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

  const active = keys?.filter((k) => k.active) ?? [];
  return (
    <section className="settings-section" aria-labelledby="admin-keys-heading">
      <h3 id="admin-keys-heading">Every user (administrator)</h3>
      {error && (
        <p role="alert" className="form-error">
          {error}
        </p>
      )}
      {users && (
        <ul className="api-key-list" aria-label="Usage by user">
          {users.length === 0 && <li className="muted">No usage yet.</li>}
          {users.map((u) => (
            <li key={u.user_id}>
              <strong>{u.username}</strong>
              <span className="muted">
                {u.total_tokens} tokens in {u.requests} answers
              </span>
            </li>
          ))}
        </ul>
      )}
      {keys && (
        <ul className="api-key-list" aria-label="Active API keys of every user">
          {active.length === 0 && <li className="muted">No active keys.</li>}
          {active.map((key) => (
            <li key={key.id}>
              <span>
                <strong>{key.username}</strong> {key.name} <code>{key.prefix}…</code>
              </span>
              <button
                type="button"
                className="button button-small button-danger-outline"
                disabled={busy}
                onClick={() => void revoke(key)}
                aria-label={`Revoke ${key.username}'s key ${key.name}`}
              >
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
